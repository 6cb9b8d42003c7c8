// The window's language: the app's own translation (built from translations/*.ts by lrelease
// at build time and embedded in the binary) and Qt's own (its dialogs' buttons), for the
// system's locale (LANG).
#include <QtCore/QCoreApplication>
#include <QtCore/QLibraryInfo>
#include <QtCore/QLocale>
#include <QtCore/QThread>
#include <QtCore/QTranslator>

#include <cstring>

// The locale's UI languages, best first, comma-separated ("de-DE,de"), into `out` (at most
// `capacity` bytes with the NUL). Returns the length of the whole text.
extern "C" int
async_jobs_ui_languages(char* out, int capacity)
{
  const QByteArray text = QLocale().uiLanguages().join(QLatin1Char(',')).toUtf8();
  if (capacity > 0) {
    const int n = qMin(int(text.size()), capacity - 1);
    std::memcpy(out, text.constData(), size_t(n));
    out[n] = '\0';
  }
  return int(text.size());
}

// Installs the translation in `data` (a .qm image that lives as long as the process) and Qt's
// own translation for `language` if Qt ships one. Returns whether the app's was installed.
// Does nothing before the application exists or off its thread.
extern "C" bool
async_jobs_install_translation(const unsigned char* data, int length, const char* language)
{
  QCoreApplication* app = QCoreApplication::instance();
  if (app == nullptr || QThread::currentThread() != app->thread()) {
    return false;
  }
  auto* ours = new QTranslator(app);
  if (!ours->load(data, length)) {
    delete ours;
    return false;
  }
  QCoreApplication::installTranslator(ours);
  auto* qt = new QTranslator(app);
  const QString folder = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
  if (qt->load(QLatin1String("qt_") + QString::fromUtf8(language), folder)) {
    QCoreApplication::installTranslator(qt);
  } else {
    delete qt;
  }
  return true;
}
