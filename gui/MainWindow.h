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
    LogPane* logPane() const { return logPane_; }

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
