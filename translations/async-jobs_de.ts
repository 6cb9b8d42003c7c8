<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>DiagnosticsPanel</name>
    <message>
        <source>Diagnostics</source>
        <translation>Diagnose</translation>
    </message>
    <message>
        <source>Event-loop lag and frames</source>
        <translation>Verzögerung der Ereignisschleife und Bilder</translation>
    </message>
    <message>
        <source>timer lateness: last %1 ms · p99 %2 ms · max %3 ms</source>
        <translation>Timer-Verspätung: zuletzt %1 ms · p99 %2 ms · max. %3 ms</translation>
    </message>
    <message>
        <source>memory: %1 resident · %2 allocated</source>
        <translation>Speicher: %1 belegt · %2 zugeteilt</translation>
    </message>
    <message>
        <source>memory: %1 resident</source>
        <translation>Speicher: %1 belegt</translation>
    </message>
    <message>
        <source>Slow polls: %1</source>
        <translation>Langsame Polls: %1</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>spawned at %1</source>
        <translation>gestartet in %1</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>Tasks</translation>
    </message>
    <message>
        <source>Scroll the tasks</source>
        <translation>Tasks blättern</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Tasks (1 coroutine)</source>
        <translation>Tasks (1 Koroutine)</translation>
    </message>
    <message>
        <source>Tasks (%1 coroutines)</source>
        <translation>Tasks (%1 Koroutinen)</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>waiting on other</source>
        <translation>wartet auf Sonstiges</translation>
    </message>
    <message>
        <source>waiting on worker job</source>
        <translation>wartet auf Worker-Auftrag</translation>
    </message>
    <message>
        <source>waiting on timer</source>
        <translation>wartet auf Timer</translation>
    </message>
    <message>
        <source>waiting on signal</source>
        <translation>wartet auf Signal</translation>
    </message>
    <message>
        <source>waiting on stream</source>
        <translation>wartet auf Stream</translation>
    </message>
    <message>
        <source>waiting on progress</source>
        <translation>wartet auf Fortschritt</translation>
    </message>
    <message>
        <source>waiting on coroutine</source>
        <translation>wartet auf Koroutine</translation>
    </message>
    <message>
        <source>waiting on tokio task</source>
        <translation>wartet auf tokio-Task</translation>
    </message>
</context>
<context>
    <name>JobRow</name>
    <message>
        <source>idle</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>stopped at: %1</source>
        <translation>angehalten bei: %1</translation>
    </message>
    <message>
        <source>elapsed: %1</source>
        <translation>Laufzeit: %1</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancel %1</source>
        <translation>%1 abbrechen</translation>
    </message>
    <message>
        <source>Remove %1 from the list</source>
        <translation>%1 aus der Liste entfernen</translation>
    </message>
    <message>
        <source>Remove from the list</source>
        <translation>Aus der Liste entfernen</translation>
    </message>
    <message>
        <source>Progress of %1</source>
        <translation>Fortschritt von %1</translation>
    </message>
    <message>
        <source>Details (backtrace)</source>
        <translation>Details (Backtrace)</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Backtrace of %1</source>
        <translation>Backtrace von %1</translation>
    </message>
    <message>
        <source>Items of %1</source>
        <translation>Funde von %1</translation>
    </message>
    <message>
        <source>Scroll the items of %1</source>
        <translation>Funde von %1 blättern</translation>
    </message>
    <message>
        <source>1 item found</source>
        <translation>1 Fund</translation>
    </message>
    <message>
        <source>%1 items found</source>
        <translation>%1 Funde</translation>
    </message>
    <message>
        <source>Scroll the backtrace of %1</source>
        <translation>Backtrace von %1 blättern</translation>
    </message>
    <message>
        <source>Scroll the backtrace of %1 sideways</source>
        <translation>Backtrace von %1 seitwärts blättern</translation>
    </message>
</context>
<context>
    <name>LagPlot</name>
    <message>
        <source>Event-loop lag plot, last 15 s</source>
        <translation>Diagramm der Schleifenverzögerung, letzte 15 s</translation>
    </message>
    <message>
        <source>timer lateness p99 %1 ms, worst %2 ms; %3 of %4 samples with a frame later than 16.7 ms; %5 slow polls</source>
        <translation>Timer-Verspätung p99 %1 ms, schlimmste %2 ms; %3 von %4 Messungen mit einem Bild später als 16,7 ms; %5 langsame Polls</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
</context>
<context>
    <name>Launcher</name>
    <message>
        <source>New job</source>
        <translation>Neuer Auftrag</translation>
    </message>
    <message>
        <source>Hash a file</source>
        <translation>Datei hashen</translation>
    </message>
    <message>
        <source>SHA-256 of a file, read in 1 MiB chunks on a worker. Progress by bytes; Cancel stops it mid-file.</source>
        <translation>SHA-256 einer Datei, in Stücken zu 1 MiB auf einem Worker gelesen. Fortschritt nach Bytes; Abbrechen hält mitten in der Datei an.</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Scan a folder</source>
        <translation>Ordner durchsuchen</translation>
    </message>
    <message>
        <source>Walks a folder tree on a worker and streams the matching files into the list as they are found. Unreadable folders are reported and skipped.</source>
        <translation>Durchläuft einen Ordnerbaum auf einem Worker und zeigt passende Dateien, sobald sie gefunden werden. Unlesbare Ordner werden gemeldet und übersprungen.</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>Name pattern (*, ?, [abc])</source>
        <translation>Namensmuster (*, ?, [abc])</translation>
    </message>
    <message>
        <source>Compute: count primes</source>
        <translation>Rechnen: Primzahlen zählen</translation>
    </message>
    <message>
        <source>Counts the primes below N with a segmented sieve. Try 2000000000 and watch the heartbeat keep going.</source>
        <translation>Zählt die Primzahlen unter N mit einem segmentierten Sieb. Probieren Sie 2000000000 und sehen Sie, wie der Herzschlag weiterläuft.</translation>
    </message>
    <message>
        <source>N (2 to 2000000000)</source>
        <translation>N (2 bis 2000000000)</translation>
    </message>
    <message>
        <source>Pipeline</source>
        <translation>Pipeline</translation>
    </message>
    <message>
        <source>Three jobs in a row: generate records → compress (DEFLATE) → SHA-256 checksum, each with its own status.</source>
        <translation>Drei Aufträge nacheinander: Datensätze erzeugen → komprimieren (DEFLATE) → SHA-256-Prüfsumme, jeder mit eigenem Status.</translation>
    </message>
    <message>
        <source>Size in MiB (1 to 1024)</source>
        <translation>Größe in MiB (1 bis 1024)</translation>
    </message>
    <message>
        <source>Fan-out</source>
        <translation>Fan-out</translation>
    </message>
    <message>
        <source>Starts many small jobs at once on the worker pool, joins them all and reports jobs per second.</source>
        <translation>Startet viele kleine Aufträge gleichzeitig im Worker-Pool, wartet auf alle und meldet Aufträge pro Sekunde.</translation>
    </message>
    <message>
        <source>Number of jobs (1 to 100000)</source>
        <translation>Anzahl der Aufträge (1 bis 100000)</translation>
    </message>
    <message>
        <source>Race with timeout</source>
        <translation>Wettlauf mit Zeitlimit</translation>
    </message>
    <message>
        <source>The sieve and trial division count the same primes; the first result wins and the loser is cancelled. With a timeout, both are cancelled when it expires.</source>
        <translation>Sieb und Probedivision zählen dieselben Primzahlen; das erste Ergebnis gewinnt, der Verlierer wird abgebrochen. Mit Zeitlimit werden beide abgebrochen, wenn es abläuft.</translation>
    </message>
    <message>
        <source>Timeout in ms (empty: none)</source>
        <translation>Zeitlimit in ms (leer: keines)</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>Fehlschlagen</translation>
    </message>
    <message>
        <source>Reads a settings file that does not exist. The error shows its whole context chain.</source>
        <translation>Liest eine Einstellungsdatei, die es nicht gibt. Der Fehler zeigt seine ganze Kontextkette.</translation>
    </message>
    <message>
        <source>Panic</source>
        <translation>Panik</translation>
    </message>
    <message>
        <source>Indexes past the end of a list on a worker. The panic becomes this job&apos;s error, with the worker&apos;s backtrace; the app lives on.</source>
        <translation>Greift auf einem Worker hinter das Ende einer Liste. Die Panik wird zum Fehler dieses Auftrags, mit dem Backtrace des Workers; die App läuft weiter.</translation>
    </message>
    <message>
        <source>Ask mid-job</source>
        <translation>Mittendrin fragen</translation>
    </message>
    <message>
        <source>Computes, then asks “Overwrite the output?” and waits for your answer without blocking anything; writes %1 only on Yes.</source>
        <translation>Rechnet, fragt dann „Ausgabe überschreiben?“ und wartet auf Ihre Antwort, ohne etwas zu blockieren; schreibt %1 nur bei Ja.</translation>
    </message>
    <message>
        <source>Block the GUI thread</source>
        <translation>GUI-Thread blockieren</translation>
    </message>
    <message>
        <source>A deliberate bug: the job sleeps 50 ms inside its coroutine, on the GUI thread. The window stalls for three frames and the diagnostics panel names the job under Slow polls.</source>
        <translation>Ein absichtlicher Fehler: Der Auftrag schläft 50 ms in seiner Koroutine, auf dem GUI-Thread. Das Fenster stockt drei Bilder lang, und die Diagnose nennt den Auftrag unter Langsame Polls.</translation>
    </message>
    <message>
        <source>Download a URL</source>
        <translation>URL herunterladen</translation>
    </message>
    <message>
        <source>An HTTP(S) GET on tokio&apos;s threads, written to a file as it arrives: bytes, speed and time left, then the size and SHA-256 of what was saved. Cancel removes the partial file.</source>
        <translation>Ein HTTP(S)-GET auf den Threads von tokio, beim Eintreffen in eine Datei geschrieben: Bytes, Geschwindigkeit und Restzeit, danach Größe und SHA-256 des Gespeicherten. Abbrechen entfernt die Teildatei.</translation>
    </message>
    <message>
        <source>URL (http:// or https://)</source>
        <translation>URL (http:// oder https://)</translation>
    </message>
    <message>
        <source>Save to (a folder or a file name; empty: your Downloads folder)</source>
        <translation>Speichern unter (ein Ordner oder ein Dateiname; leer: Ihr Download-Ordner)</translation>
    </message>
    <message>
        <source>Nothing is ever replaced: in a folder, a name that is taken becomes “name (1).ext”; a file name that is taken is refused.</source>
        <translation>Nichts wird je ersetzt: In einem Ordner wird ein vergebener Name zu „Name (1).ext“; ein vergebener Dateiname wird abgelehnt.</translation>
    </message>
    <message>
        <source>Run a command</source>
        <translation>Befehl ausführen</translation>
    </message>
    <message>
        <source>Runs a program with its arguments (no shell: quotes group words, nothing else is special). Its output lines stream into the job as they come; Cancel kills it and its children.</source>
        <translation>Führt ein Programm mit seinen Argumenten aus (ohne Shell: Anführungszeichen gruppieren Wörter, sonst ist nichts besonders). Seine Ausgabezeilen erscheinen, sobald sie kommen; Abbrechen beendet es samt seinen Kindprozessen.</translation>
    </message>
    <message>
        <source>Command line</source>
        <translation>Befehlszeile</translation>
    </message>
    <message>
        <source>Hash %1</source>
        <translation>%1 hashen</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>in %1</translation>
    </message>
    <message>
        <source>Scan %1 for %2</source>
        <translation>%1 nach %2 durchsuchen</translation>
    </message>
    <message>
        <source>Count primes below %1</source>
        <translation>Primzahlen unter %1 zählen</translation>
    </message>
    <message>
        <source>Pipeline of %1</source>
        <translation>Pipeline über %1</translation>
    </message>
    <message>
        <source>Race to count primes below %1</source>
        <translation>Wettlauf: Primzahlen unter %1 zählen</translation>
    </message>
    <message>
        <source>no timeout</source>
        <translation>kein Zeitlimit</translation>
    </message>
    <message>
        <source>timeout %1 ms</source>
        <translation>Zeitlimit %1 ms</translation>
    </message>
    <message>
        <source>writes %1</source>
        <translation>schreibt %1</translation>
    </message>
    <message>
        <source>Download %1</source>
        <translation>%1 herunterladen</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>von %1</translation>
    </message>
    <message>
        <source>Run %1</source>
        <translation>%1 ausführen</translation>
    </message>
    <message>
        <source>Scroll the kinds of job</source>
        <translation>Auftragsarten blättern</translation>
    </message>
    <message>
        <source>Kinds of job</source>
        <translation>Auftragsarten</translation>
    </message>
    <message>
        <source>Up and Down pick a kind, Tab goes to its input, Enter starts it</source>
        <translation>Auf und Ab wählen eine Art, Tab geht zu ihrer Eingabe, Eingabetaste startet sie</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Browse for the file</source>
        <translation>Datei auswählen</translation>
    </message>
    <message>
        <source>Browse for the folder</source>
        <translation>Ordner auswählen</translation>
    </message>
    <message>
        <source>Browse for the folder to save to</source>
        <translation>Zielordner auswählen</translation>
    </message>
    <message>
        <source>Start “%1”</source>
        <translation>„%1“ starten</translation>
    </message>
    <message>
        <source>The file dialog cannot open: Qt&apos;s module Qt.labs.folderlistmodel is missing (Debian: qml6-module-qt-labs-folderlistmodel; scripts/deps.sh installs it). Type the path instead.</source>
        <translation>Der Dateidialog kann nicht öffnen: Das Qt-Modul Qt.labs.folderlistmodel fehlt (Debian: qml6-module-qt-labs-folderlistmodel; scripts/deps.sh installiert es). Geben Sie den Pfad stattdessen ein.</translation>
    </message>
    <message>
        <source>Choose a file to hash</source>
        <translation>Datei zum Hashen wählen</translation>
    </message>
    <message>
        <source>Choose the folder to save to</source>
        <translation>Zielordner wählen</translation>
    </message>
    <message>
        <source>Choose a folder to scan</source>
        <translation>Ordner zum Durchsuchen wählen</translation>
    </message>
    <message>
        <source>Fan-out of 1 job</source>
        <translation>Fan-out von 1 Auftrag</translation>
    </message>
    <message>
        <source>Fan-out of %1 jobs</source>
        <translation>Fan-out von %1 Aufträgen</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Async Jobs</source>
        <translation>Async Jobs</translation>
    </message>
    <message>
        <source>Tool bar</source>
        <translation>Werkzeugleiste</translation>
    </message>
    <message>
        <source>jobs run on worker threads; this window never waits for them</source>
        <translation>Aufträge laufen auf Worker-Threads; dieses Fenster wartet nie auf sie</translation>
    </message>
    <message>
        <source>Diagnostics</source>
        <translation>Diagnose</translation>
    </message>
    <message>
        <source>Shows or hides the diagnostics panel</source>
        <translation>Zeigt oder verbirgt die Diagnose</translation>
    </message>
    <message>
        <source>Hide the diagnostics panel</source>
        <translation>Diagnose verbergen</translation>
    </message>
    <message>
        <source>Show the diagnostics panel</source>
        <translation>Diagnose zeigen</translation>
    </message>
    <message>
        <source>Spinning square</source>
        <translation>Drehendes Quadrat</translation>
    </message>
    <message>
        <source>turns while the GUI thread is free</source>
        <translation>dreht sich, solange der GUI-Thread frei ist</translation>
    </message>
    <message>
        <source>GUI heartbeat %1</source>
        <translation>GUI-Herzschlag %1</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Aufträge</translation>
    </message>
    <message>
        <source>%1 running · %2 in the list</source>
        <translation>%1 laufen · %2 in der Liste</translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation>Beendete entfernen</translation>
    </message>
    <message>
        <source>Removes every job that is not running from the list</source>
        <translation>Entfernt jeden Auftrag, der nicht läuft, aus der Liste</translation>
    </message>
    <message>
        <source>Up and Down select a job; Delete cancels a running one or removes a finished one; Space shows its details</source>
        <translation>Auf und Ab wählen einen Auftrag; Entf bricht einen laufenden ab oder entfernt einen beendeten; Leertaste zeigt seine Details</translation>
    </message>
    <message>
        <source>Scroll the jobs</source>
        <translation>Aufträge blättern</translation>
    </message>
    <message>
        <source>No jobs yet. Pick one on the left and press Start (or Enter).</source>
        <translation>Noch keine Aufträge. Wählen Sie links einen und drücken Sie Starten (oder die Eingabetaste).</translation>
    </message>
    <message>
        <source>A job asks</source>
        <translation>Ein Auftrag fragt</translation>
    </message>
    <message>
        <source>Overwrite the output?</source>
        <translation>Ausgabe überschreiben?</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nein</translation>
    </message>
</context>
</TS>
