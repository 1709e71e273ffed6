// phinet-workbench: the Qt6 desktop workbench.
#include "MainWindow.h"

#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"

#include <QApplication>

#include <cstdio>
#include <cstring>

int main(int argc, char** argv)
{
    // --version and --help must work without a display, so they are answered before Qt starts.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0) {
            std::printf("phinet-workbench %s\n", PHINET_VERSION);
            return 0;
        }
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::printf("Usage: phinet-workbench [options]\n"
                        "PhiNet Quantization Workbench: build PhiNet networks, train them on MNIST and CIFAR-10,\n"
                        "quantize them to INT8 and measure loss, accuracy, size and latency.\n\n"
                        "Options:\n"
                        "  --help              show this help and exit\n"
                        "  --version           show the version and exit\n"
                        "  --run PRESET        start a study preset at launch (e.g. quick)\n"
                        "  --screenshots DIR   after that run, save a picture of every area into DIR and quit\n"
                        "  Qt's own options (-platform offscreen, -style ...) are accepted too.\n\n"
                        "Log file: %s\n",
                        (phinet::userDataDir() / "logs" / "workbench.log").c_str());
            return 0;
        }
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("phinet-workbench"));
    QApplication::setOrganizationName(QStringLiteral("PhiNetWorkbench"));
    QApplication::setApplicationVersion(QStringLiteral(PHINET_VERSION));
    phinet::addLogFile((phinet::userDataDir() / "logs" / "workbench.log").string());

    QString runPreset, shotsDir;
    const QStringList args = QApplication::arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--run")) runPreset = args[i + 1];
        if (args[i] == QLatin1String("--screenshots")) shotsDir = args[i + 1];
    }
    phinet::gui::MainWindow window;
    window.show();
    if (!runPreset.isEmpty()) {
        if (!window.startPreset(runPreset)) {
            std::fprintf(stderr, "phinet-workbench: --run: no study preset named \"%s\"\n", qPrintable(runPreset));
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
