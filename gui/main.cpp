// phinet-workbench: the Qt6 desktop workbench.
#include "MainWindow.h"
#include "Translations.h"

#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"

#include <QApplication>
#include <QSettings>

#include <cstdio>
#include <cstring>

namespace {

void setIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("phinet-workbench"));
    QCoreApplication::setOrganizationName(QStringLiteral("PhiNetWorkbench"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PHINET_VERSION));
}

/// --languages: each shipped language, whether its translation loads, and the window title in it.
int listLanguages(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    setIdentity();
    int missing = 0;
    for (const auto& [code, name] : phinet::gui::availableLanguages()) {
        const QString effective = phinet::gui::applyLanguage(code);
        const bool ok = effective == code;
        if (!ok) ++missing;
        std::printf("%s\t%s\t%s\t%s\tQt's own: %s\n", qPrintable(code), qPrintable(name), ok ? "ok" : "MISSING",
                    qPrintable(QCoreApplication::translate("phinet::gui::MainWindow", "PhiNet Quantization Workbench")),
                    code == QLatin1String("en") ? "not needed"
                                                : (phinet::gui::qtTranslationLoaded() ? "found" : "not found"));
    }
    std::printf("system language: %s\n", qPrintable(phinet::gui::systemLanguage()));
    return missing ? 1 : 0;
}

} // namespace

int main(int argc, char** argv)
{
    // --version, --help and --languages work without a display, so they are answered before the GUI starts.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0) {
            std::printf("phinet-workbench %s\n", PHINET_VERSION);
            return 0;
        }
        if (std::strcmp(argv[i], "--languages") == 0) return listLanguages(argc, argv);
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::printf("Usage: phinet-workbench [options]\n"
                        "PhiNet Quantization Workbench: build PhiNet networks, train them on MNIST and CIFAR-10,\n"
                        "quantize them to INT8 and measure loss, accuracy, size and latency.\n\n"
                        "Options:\n"
                        "  --help              show this help and exit\n"
                        "  --version           show the version and exit\n"
                        "  --languages         list the shipped languages (and check they load) and exit\n"
                        "  --lang CODE         use this language (en, it); default: the Language menu's choice,\n"
                        "                      else the system locale\n"
                        "  --run PRESET        start a preset at launch (e.g. quick)\n"
                        "  --open FILE         open a model file at launch (.ckpt, .safetensors, .int8), as\n"
                        "                      File > Open model... does\n"
                        "  --screenshots DIR   after that run, save a picture of every area into DIR and quit\n"
                        "  Qt's own options (-platform offscreen, -style ...) are accepted too.\n\n"
                        "Settings: QSettings (PhiNetWorkbench/phinet-workbench); data, presets and run history: %s\n"
                        "Log file: %s\n",
                        phinet::userDataDir().c_str(), (phinet::userDataDir() / "logs" / "workbench.log").c_str());
            return 0;
        }
    }
    QApplication app(argc, argv);
    setIdentity();
    phinet::addLogFile((phinet::userDataDir() / "logs" / "workbench.log").string());

    QString runPreset, shotsDir, openFile, lang = QSettings().value(QStringLiteral("language")).toString();
    const QStringList args = QApplication::arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--run")) runPreset = args[i + 1];
        if (args[i] == QLatin1String("--screenshots")) shotsDir = args[i + 1];
        if (args[i] == QLatin1String("--lang")) lang = args[i + 1];
        if (args[i] == QLatin1String("--open")) openFile = args[i + 1];
    }
    phinet::gui::applyLanguage(lang);
    phinet::gui::MainWindow window;
    window.show();
    if (!openFile.isEmpty()) window.openModelFile(openFile);
    if (!runPreset.isEmpty()) {
        if (!window.startPreset(runPreset)) {
            std::fprintf(stderr, "phinet-workbench: --run: no preset named \"%s\"\n", qPrintable(runPreset));
            return 2;
        }
        if (!shotsDir.isEmpty())
            QObject::connect(&window, &phinet::gui::MainWindow::runFinished, &window, [&window, shotsDir] {
                window.saveScreenshots(shotsDir);
                QApplication::quit();
            });
    }
    return app.exec();
}
