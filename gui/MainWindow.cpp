#include "MainWindow.h"

#include "LogPane.h"
#include "ModelPage.h"
#include "RunPage.h"
#include "JobRunner.h"

#include "phinet/common/Log.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace phinet::gui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("PhiNet Quantization Workbench"));
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("areas"));
    modelPage_ = new ModelPage(tabs_);
    runPage_ = new RunPage(tabs_);
    tabs_->addTab(runPage_, tr("Run"));
    tabs_->addTab(modelPage_, tr("Model"));
    // The run takes its network from the Model form; choosing a preset fills the form.
    runPage_->setModelSource([this]() -> std::optional<PhiNetConfig> {
        if (!modelPage_->isValid()) return std::nullopt;
        return modelPage_->config();
    });
    connect(runPage_, &RunPage::presetModelChanged, modelPage_, &ModelPage::setConfig);
    connect(runPage_, &RunPage::runFinished, this, &MainWindow::runFinished);
    if (auto study = runPage_->presetStudy()) modelPage_->setConfig(study->modifiedModel());
    setCentralWidget(tabs_);

    logPane_ = new LogPane(this);
    auto* dock = new QDockWidget(tr("Log"), this);
    dock->setObjectName(QStringLiteral("logDock"));
    dock->setWidget(logPane_);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    addLogSink(logPane_->sink());
    resizeDocks({dock}, {170}, Qt::Vertical);

    buildMenus();
    connect(modelPage_, &ModelPage::configChanged, this, [this] {
        if (const auto& s = modelPage_->summary())
            statusBar()->showMessage(tr("%1 params, %2 MACs").arg(QString::fromStdString(withThousands(s->params)),
                                                                   QString::fromStdString(withThousands(s->macs))));
        else
            statusBar()->showMessage(tr("Invalid model configuration: see the flagged fields"));
    });
    resize(1280, 800);
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    logger()->info("workbench started");
}

MainWindow::~MainWindow() = default;

bool MainWindow::startPreset(const QString& name)
{
    if (!runPage_->selectPreset(name)) return false;
    tabs_->setCurrentWidget(runPage_);
    runPage_->run();
    return true;
}

void MainWindow::saveScreenshots(const QString& dir)
{
    QDir().mkpath(dir);
    for (int i = 0; i < tabs_->count(); ++i) {
        tabs_->setCurrentIndex(i);
        QApplication::processEvents();
        const QString name = tabs_->widget(i)->objectName().remove(QStringLiteral("Page")).toLower();
        grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
    }
    tabs_->setCurrentWidget(runPage_);
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    auto* help = menuBar()->addMenu(tr("&Help"));
    connect(help->addAction(tr("&About")), &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About PhiNet Quantization Workbench"),
                           tr("<b>PhiNet Quantization Workbench</b> %1<br>Build PhiNet networks, train them, quantize "
                              "them to INT8 and measure what that buys.")
                               .arg(QStringLiteral(PHINET_VERSION)));
    });
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (runPage_->isRunning()) {
        const auto answer = QMessageBox::question(this, tr("A run is in progress"),
                                                  tr("Cancel the run and quit? Finished stages are kept; running the same "
                                                     "preset into the same folder resumes it."),
                                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        runPage_->runner()->cancel();
        runPage_->runner()->wait();
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace phinet::gui
