#pragma once
// The workbench's main window: tabbed areas (Model, ...) and a docked log pane.

#include <QMainWindow>

class QTabWidget;

namespace phinet::gui {

class LogPane;
class ModelPage;
class RunPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    ModelPage* modelPage() const { return modelPage_; }
    RunPage* runPage() const { return runPage_; }
    /// Selects a study preset and starts it; false if there is no such preset.
    bool startPreset(const QString& name);
    /// Saves a picture of every area (run.png, model.png, ...) into dir.
    void saveScreenshots(const QString& dir);

    LogPane* logPane() const { return logPane_; }

Q_SIGNALS:
    void runFinished();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();

    QTabWidget* tabs_ = nullptr;
    ModelPage* modelPage_ = nullptr;
    RunPage* runPage_ = nullptr;
    LogPane* logPane_ = nullptr;
};

} // namespace phinet::gui
