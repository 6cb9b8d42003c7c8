#!/usr/bin/env bash
# Updates translations/async-jobs_*.ts from the qsTr() texts in qml/ (Qt's lupdate, Debian
# package qt6-l10n-tools). New texts arrive unfinished; translate them (Qt Linguist, or by hand
# in the XML), then build: build.rs compiles each .ts with lrelease and the binary embeds it.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA_PACKAGES=qt6-l10n-tools bash scripts/deps.sh
lupdate="$(qmake6 -query QT_HOST_BINS)/lupdate"
for ts in translations/async-jobs_*.ts; do
    "$lupdate" -locations none -no-obsolete qml -ts "$ts"
done
