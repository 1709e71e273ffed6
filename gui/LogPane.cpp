#include "LogPane.h"

#include <QEvent>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include <mutex>
#include <vector>

#include <spdlog/sinks/base_sink.h>

namespace phinet::gui {
namespace {

/// Lines waiting for the GUI thread. The sink (any thread) only touches this, never a Qt object, so
/// it stays safe after the pane is destroyed.
struct PendingLines {
    std::mutex mutex;
    std::vector<std::pair<int, QString>> lines;
};

class PaneSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit PaneSink(std::shared_ptr<PendingLines> pending) : pending_(std::move(pending)) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override
    {
        spdlog::memory_buf_t buf;
        formatter_->format(msg, buf);
        QString line = QString::fromUtf8(buf.data(), static_cast<int>(buf.size())).trimmed();
        std::lock_guard lock(pending_->mutex);
        if (pending_->lines.size() < size_t(LogPane::kMaxLines)) pending_->lines.emplace_back(int(msg.level), line);
    }
    void flush_() override {}

private:
    std::shared_ptr<PendingLines> pending_;
};

} // namespace

void LogPane::retranslate()
{
    showLabel_->setText(tr("Show:"));
    levelBox_->setItemText(0, tr("Debug and above"));
    levelBox_->setItemText(1, tr("Info and above"));
    levelBox_->setItemText(2, tr("Warnings and errors"));
    levelBox_->setItemText(3, tr("Errors only"));
    clearButton_->setText(tr("Clear"));
}

void LogPane::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

LogPane::LogPane(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto* bar = new QHBoxLayout;
    showLabel_ = new QLabel(this);
    bar->addWidget(showLabel_);
    levelBox_ = new QComboBox(this);
    levelBox_->setObjectName(QStringLiteral("logLevel"));
    for (int level :
         {int(spdlog::level::debug), int(spdlog::level::info), int(spdlog::level::warn), int(spdlog::level::err)})
        levelBox_->addItem(QString(), level);
    levelBox_->setCurrentIndex(1);
    bar->addWidget(levelBox_);
    bar->addStretch();
    clearButton_ = new QPushButton(this);
    auto* clear = clearButton_;
    bar->addWidget(clear);
    retranslate();
    layout->addLayout(bar);
    view_ = new QPlainTextEdit(this);
    view_->setObjectName(QStringLiteral("logView"));
    view_->setReadOnly(true);
    view_->setMaximumBlockCount(kMaxLines);
    view_->setFont(QFont(QStringLiteral("monospace")));
    layout->addWidget(view_);

    connect(levelBox_, &QComboBox::currentIndexChanged, this, &LogPane::refilter);
    connect(clear, &QPushButton::clicked, this, [this] {
        entries_.clear();
        view_->clear();
    });
    auto pending = std::make_shared<PendingLines>();
    auto* timer = new QTimer(this);
    timer->setInterval(100);
    connect(timer, &QTimer::timeout, this, [this, pending] {
        std::vector<std::pair<int, QString>> lines;
        {
            std::lock_guard lock(pending->mutex);
            lines.swap(pending->lines);
        }
        for (auto& [level, line] : lines)
            appendLine(level, line);
    });
    timer->start();
    auto s = std::make_shared<PaneSink>(pending);
    s->set_pattern("%H:%M:%S [%l] %v");
    s->set_level(spdlog::level::debug);
    sink_ = s;
}

LogPane::~LogPane() = default;

void LogPane::appendLine(int level, const QString& line)
{
    entries_.append({level, line});
    if (entries_.size() > kMaxLines) entries_.erase(entries_.begin(), entries_.begin() + (entries_.size() - kMaxLines));
    if (level >= levelBox_->currentData().toInt()) view_->appendPlainText(line);
}

void LogPane::refilter()
{
    const int min = levelBox_->currentData().toInt();
    view_->clear();
    QStringList lines;
    for (const auto& e : entries_)
        if (e.level >= min) lines << e.line;
    view_->setPlainText(lines.join(QLatin1Char('\n')));
}

int LogPane::lineCount() const
{
    return view_->toPlainText().isEmpty() ? 0 : view_->document()->blockCount();
}

QString LogPane::text() const
{
    return view_->toPlainText();
}

} // namespace phinet::gui
