#pragma once
// The log pane: spdlog messages from every thread, shown in the GUI thread, bounded, filterable by level.

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPushButton;
class QPlainTextEdit;

namespace spdlog::sinks {
class sink;
}

namespace phinet::gui {

class LogPane : public QWidget {
    Q_OBJECT
public:
    explicit LogPane(QWidget* parent = nullptr);
    ~LogPane() override;

    /// A spdlog sink that forwards formatted lines to this pane through queued calls (any thread).
    /// The sink stays valid after the pane is gone; it then drops messages.
    std::shared_ptr<spdlog::sinks::sink> sink() const { return sink_; }

    /// Lines kept (older ones are dropped).
    static constexpr int kMaxLines = 5000;

    int lineCount() const;
    QString text() const;

public Q_SLOTS:
    void appendLine(int level, const QString& line);

protected:
    void changeEvent(QEvent* event) override;

private:
    void refilter();
    void retranslate();
    QLabel* showLabel_ = nullptr;
    QPushButton* clearButton_ = nullptr;

    QComboBox* levelBox_ = nullptr;
    QPlainTextEdit* view_ = nullptr;
    struct Entry {
        int level;
        QString line;
    };
    QList<Entry> entries_;
    std::shared_ptr<spdlog::sinks::sink> sink_;
};

} // namespace phinet::gui
