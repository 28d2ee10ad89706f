#include "sequence_chart.h"

#include "compact_number.h"
#include "process.h"
#include "state_style.h"

#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QSaveFile>
#include <QTextStream>
#include <QWheelEvent>

#include <algorithm>
#include <csignal>
#include <cmath>

namespace ipc {

namespace {

// Where things go in the chart's area: a lane per process, a time axis on
// the left, the title and the process heads above.
class SequenceLayout {
public:
    SequenceLayout(const QRectF &area, const TraceLog &log, const SequenceWindow &window, const ChartStyle &style)
        : m_window(window)
    {
        const QFontMetricsF title(style.titleFont);
        const QFontMetricsF label(style.labelFont);
        m_lineHeight = label.height();
        m_axisWidth = label.horizontalAdvance(QStringLiteral("00.00 s")) + 8;
        const qreal top = area.top() + title.height() + 6;
        m_heads = QRectF(area.left() + m_axisWidth, top, area.width() - m_axisWidth, 2 * m_lineHeight + 8);
        m_plot = QRectF(m_heads.left(), m_heads.bottom() + 4, m_heads.width(),
                        area.bottom() - m_heads.bottom() - 8 - m_lineHeight * 1.4);
        m_lanes = std::max<std::size_t>(1, log.processes().size());
    }

    [[nodiscard]] const QRectF &plot() const { return m_plot; }
    [[nodiscard]] const QRectF &heads() const { return m_heads; }
    [[nodiscard]] qreal axisWidth() const { return m_axisWidth; }
    [[nodiscard]] qreal lineHeight() const { return m_lineHeight; }
    [[nodiscard]] qreal laneWidth() const { return m_plot.width() / qreal(m_lanes); }
    [[nodiscard]] qreal x(std::uint32_t slot) const { return m_plot.left() + (qreal(slot) + 0.5) * laneWidth(); }
    [[nodiscard]] std::uint64_t beginNs() const { return m_window.endNs > m_window.spanNs ? m_window.endNs - m_window.spanNs : 0; }
    [[nodiscard]] qreal y(std::uint64_t t) const
    {
        const double f = (double(t) - double(beginNs())) / double(std::max<std::uint64_t>(1, m_window.spanNs));
        // Beyond the edges too (clipped there), so an arrow from before the
        // window enters at its own slope; bounded, so no coordinate overflows.
        return m_plot.top() + std::clamp(f, -50.0, 50.0) * m_plot.height();
    }
    [[nodiscard]] bool visible(std::uint64_t from, std::uint64_t to) const
    {
        return to >= beginNs() && from <= m_window.endNs;
    }

private:
    SequenceWindow m_window;
    QRectF m_heads;
    QRectF m_plot;
    qreal m_axisWidth = 0;
    qreal m_lineHeight = 0;
    std::size_t m_lanes = 1;
};

void drawArrowHead(QPainter &p, QPointF from, QPointF to, qreal size)
{
    const QLineF line(to, from);
    if (line.length() < 1) return;
    const QLineF unit = line.unitVector();
    const QPointF back = to + (unit.p2() - unit.p1()) * size;
    const QPointF side(-(unit.dy()) * size * 0.45, unit.dx() * size * 0.45);
    QPainterPath head;
    head.moveTo(to);
    head.lineTo(back + side);
    head.lineTo(back - side);
    head.closeSubpath();
    p.fillPath(head, p.pen().color());
}

// Seconds on the left, at a step that leaves room for the labels.
void drawTimeAxis(QPainter &p, const SequenceLayout &l, const SequenceWindow &w, const ChartStyle &style)
{
    p.setFont(style.labelFont);
    const double spanS = double(w.spanNs) * 1e-9;
    const double rows = std::max(1.0, l.plot().height() / (l.lineHeight() * 3));
    double step = std::pow(10.0, std::floor(std::log10(spanS / rows)));
    for (const double m : {2.0, 2.5, 2.0}) // 1, 2, 5, 10 ...
        if (spanS / step > rows) step *= m;
    const double begin = double(l.beginNs() > w.originNs ? l.beginNs() - w.originNs : 0) * 1e-9;
    const int decimals = std::clamp(int(-std::floor(std::log10(step))), 0, 6);
    for (double s = std::ceil(begin / step) * step; s <= begin + spanS + 1e-12; s += step) {
        const qreal y = l.y(w.originNs + std::uint64_t(s * 1e9));
        p.setPen(QPen(style.grid, 1));
        p.drawLine(QPointF(l.plot().left(), y), QPointF(l.plot().right(), y));
        p.setPen(style.text);
        p.drawText(QRectF(0, y - l.lineHeight() / 2, l.axisWidth() - 6, l.lineHeight()),
                   Qt::AlignRight | Qt::AlignVCenter, QString::number(s, 'f', decimals) + QStringLiteral(" s"));
    }
}

// The head of each lifeline (role and pid), the line itself, and a cross
// where the process ended.
void drawLifelines(QPainter &p, const SequenceLayout &l, const TraceLog &log, const ChartStyle &style)
{
    p.setFont(style.labelFont);
    const qreal lane = l.laneWidth();
    for (const TracedProcess &proc : log.processes()) {
        const qreal x = l.x(proc.slot);
        const QRectF head(x - lane / 2 + 3, l.heads().top(), lane - 6, l.heads().height());
        p.setPen(QPen(style.axisLine, 1.5));
        p.setBrush(style.plotBackground);
        p.drawRoundedRect(head, 4, 4);
        p.setPen(style.text);
        const QFontMetricsF fm(style.labelFont);
        p.drawText(head.adjusted(2, 2, -2, -head.height() / 2), Qt::AlignCenter,
                   fm.elidedText(QString::fromStdString(proc.role), Qt::ElideRight, head.width() - 4));
        p.drawText(head.adjusted(2, head.height() / 2, -2, -2), Qt::AlignCenter,
                   fm.elidedText(QStringLiteral("pid %1").arg(proc.pid), Qt::ElideRight, head.width() - 4));
        const qreal end = proc.exited ? l.y(proc.lastNs) : l.plot().bottom();
        p.setPen(QPen(style.axisLine, 1.2, Qt::DashLine));
        p.drawLine(QPointF(x, l.plot().top()), QPointF(x, std::max(end, l.plot().top())));
        if (proc.exited && end >= l.plot().top() && end <= l.plot().bottom()) {
            const qreal r = l.lineHeight() * 0.35;
            const ProcState how = proc.exitStatus == 0  ? ProcState::Finished
                                  : proc.exitStatus < 0 ? ProcState::Killed
                                                        : ProcState::Failed;
            p.setPen(QPen(stateColor(how), 3));
            p.drawLine(QPointF(x - r, end - r), QPointF(x + r, end + r));
            p.drawLine(QPointF(x - r, end + r), QPointF(x + r, end - r));
            if (proc.exitStatus != 0) {
                p.setPen(style.text);
                p.drawText(QPointF(x + r + 3, end + l.lineHeight() * 0.3), stateLabel(how));
            }
        }
    }
}

// A bar on the lifeline for each stretch not spent running.
void drawIntervals(QPainter &p, const SequenceLayout &l, const TraceLog &log, std::uint64_t nowNs)
{
    const qreal width = std::clamp(l.laneWidth() * 0.12, 6.0, 16.0);
    for (const StateInterval &i : log.intervals()) {
        const std::uint64_t end = i.endNs ? i.endNs : nowNs;
        if (!l.visible(i.beginNs, end) || i.state == ProcState::Exited) continue;
        const qreal x = l.x(i.slot);
        const qreal y0 = l.y(i.beginNs);
        const qreal y1 = std::max(l.y(end), y0 + 1.5);
        const QColor c = stateColor(i.state);
        p.fillRect(QRectF(x - width / 2, y0, width, y1 - y0), c);
    }
}

// The signals the run sent (the lecturer's pause, resume and kill, a
// stop's kill): a triangle pointing at the lifeline from the left, named.
void drawSignals(QPainter &p, const SequenceLayout &l, const TraceLog &log, const ChartStyle &style)
{
    p.setFont(style.labelFont);
    const QFontMetricsF fm(style.labelFont);
    const qreal r = l.lineHeight() * 0.3;
    std::vector<qreal> lastLabelY(log.processes().size(), -1e9);
    for (const SignalMark &s : log.signals()) {
        if (!l.visible(s.timeNs, s.timeNs) || s.slot >= lastLabelY.size()) continue;
        const QPointF at(l.x(s.slot) - l.laneWidth() * 0.08, l.y(s.timeNs));
        const QColor c = stateColor(s.signal == SIGKILL ? ProcState::Killed : ProcState::Paused);
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        p.drawPolygon(QPolygonF({at, at + QPointF(-2 * r, -r), at + QPointF(-2 * r, r)}));
        if (at.y() - lastLabelY[s.slot] < l.lineHeight()) continue;
        lastLabelY[s.slot] = at.y();
        // Its name in its own lane: "SIGSTOP", or "STOP" where that is too
        // wide, or only the triangle.
        const qreal room = at.x() - 2 * r - 3 - (l.x(s.slot) - l.laneWidth() / 2);
        QString text = QString::fromStdString(signalName(s.signal));
        if (fm.horizontalAdvance(text) > room && text.startsWith(QLatin1StringView("SIG"))) text = text.mid(3);
        if (fm.horizontalAdvance(text) > room) continue;
        p.setPen(c.darker(130));
        p.drawText(QPointF(at.x() - 2 * r - 3 - fm.horizontalAdvance(text), at.y() + fm.ascent() / 3), text);
    }
}

QString messageLabel(const MessageArrow &m) { return QStringLiteral("#%1").arg(m.seq); }

// Arrows for the messages, dashed ones for the lock hand-offs; a label
// where there is room for it.
void drawArrows(QPainter &p, const SequenceLayout &l, const TraceLog &log, const ChartStyle &style)
{
    const qreal head = l.lineHeight() * 0.5;
    const qreal barHalf = std::clamp(l.laneWidth() * 0.06, 3.0, 8.0);
    p.setFont(style.labelFont);
    std::vector<qreal> lastLabelY(log.processes().size(), -1e9);
    for (const MessageArrow &m : log.messages()) {
        if (!l.visible(m.sentNs, m.receivedNs)) continue;
        const QColor c = ChartStyle::seriesColor(int(m.object % 8));
        const qreal dir = l.x(m.toSlot) >= l.x(m.fromSlot) ? 1 : -1;
        const QPointF from(l.x(m.fromSlot) + dir * barHalf, l.y(m.sentNs));
        const QPointF to(l.x(m.toSlot) - dir * barHalf, l.y(m.receivedNs));
        p.setPen(QPen(c, std::max(1.5, style.lineWidth * 0.7)));
        p.drawLine(from, to);
        drawArrowHead(p, from, to, head);
        if (from.y() - lastLabelY[m.fromSlot] >= l.lineHeight()) {
            lastLabelY[m.fromSlot] = from.y();
            p.setPen(c.darker(130));
            const QString text = messageLabel(m);
            const qreal w = QFontMetricsF(style.labelFont).horizontalAdvance(text);
            p.drawText(QPointF(dir > 0 ? from.x() + 4 : from.x() - 4 - w, from.y() - 3), text);
        }
    }
    const QPen handedOver(stateColor(ProcState::InCriticalSection), std::max(1.5, style.lineWidth * 0.6), Qt::DashLine);
    // A lock its holder died holding: the kernel handed it to the next
    // one, said so, and the arrow does (from the dead one's lifeline).
    const QColor died = stateColor(ProcState::Failed);
    for (const LockHandoff &h : log.handoffs()) {
        if (!l.visible(h.releasedNs, h.acquiredNs)) continue;
        const QPointF from(l.x(h.fromSlot), l.y(h.releasedNs));
        const QPointF to(l.x(h.toSlot), l.y(h.acquiredNs));
        p.setPen(h.ownerDied ? QPen(died, handedOver.widthF(), Qt::DashLine) : handedOver);
        p.drawLine(from, to);
        drawArrowHead(p, from, to, head * 0.8);
        if (h.ownerDied) {
            p.setPen(died.darker(120));
            const QString text = QObject::tr("owner died: %1").arg(QString::fromStdString(log.objectName(h.object)));
            const qreal w = QFontMetricsF(style.labelFont).horizontalAdvance(text);
            p.drawText(QPointF((from.x() + to.x() - w) / 2, from.y() - 3), text);
        }
    }
}

// A dotted arrow from the process that let a waiter go (the last at a
// barrier, a set, a notify, a release) to the end of that wait, in the
// colour of the wait.
void drawWakeups(QPainter &p, const SequenceLayout &l, const TraceLog &log, const ChartStyle &style)
{
    const qreal head = l.lineHeight() * 0.4;
    for (const Wakeup &w : log.wakeups()) {
        if (!l.visible(w.wokeNs, w.resumedNs)) continue;
        const QPointF from(l.x(w.fromSlot), l.y(w.wokeNs));
        const QPointF to(l.x(w.toSlot), l.y(w.resumedNs));
        p.setPen(QPen(stateColor(w.wait).darker(115), std::max(1.5, style.lineWidth * 0.6), Qt::DotLine));
        p.drawLine(from, to);
        drawArrowHead(p, from, to, head);
    }
}

// A stub for each message sent and not (yet) received: still in its queue
// or pipe, or lost with its receiver.
void drawUnreceived(QPainter &p, const SequenceLayout &l, const TraceLog &log, const ChartStyle &style)
{
    p.setFont(style.labelFont);
    std::vector<qreal> lastLabelY(log.processes().size(), -1e9);
    for (const MessageArrow &m : log.unreceived()) {
        if (!l.visible(m.sentNs, m.sentNs) || m.fromSlot >= lastLabelY.size()) continue;
        const QColor c = ChartStyle::seriesColor(int(m.object % 8));
        // Towards the middle: the last lane's stub points left.
        const QPointF from(l.x(m.fromSlot), l.y(m.sentNs));
        const qreal dir = from.x() > l.plot().center().x() ? -1 : 1;
        const QPointF to(from.x() + dir * l.laneWidth() * 0.35, from.y());
        p.setPen(QPen(c, 1.5, Qt::DotLine));
        p.drawLine(from, to);
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(to, 3, 3);
        if (from.y() - lastLabelY[m.fromSlot] < l.lineHeight()) continue;
        lastLabelY[m.fromSlot] = from.y();
        const QString text = messageLabel(m) + QStringLiteral(" …");
        const qreal w = QFontMetricsF(style.labelFont).horizontalAdvance(text);
        // Under the stub, by its own lifeline (two stubs may meet in the middle).
        p.drawText(QPointF(dir > 0 ? from.x() + 8 : from.x() - 8 - w, from.y() + l.lineHeight() * 0.9), text);
    }
}

// What each colour of arrow is, and what the trace left out.
void drawFooter(QPainter &p, const QRectF &area, const SequenceLayout &l, const TraceLog &log, const ChartStyle &style)
{
    p.setFont(style.labelFont);
    const QFontMetricsF fm(style.labelFont);
    qreal x = area.left() + l.axisWidth();
    const qreal y = area.bottom() - l.lineHeight() * 0.4;
    std::vector<std::uint32_t> objects;
    for (const MessageArrow &m : log.messages())
        if (std::find(objects.begin(), objects.end(), m.object) == objects.end()) objects.push_back(m.object);
    for (const std::uint32_t o : objects) {
        const QColor c = ChartStyle::seriesColor(int(o % 8));
        p.setPen(QPen(c, 3));
        p.drawLine(QPointF(x, y - fm.ascent() / 3), QPointF(x + 18, y - fm.ascent() / 3));
        p.setPen(style.text);
        const QString name = QString::fromStdString(log.objectName(o));
        p.drawText(QPointF(x + 22, y), name);
        x += 22 + fm.horizontalAdvance(name) + 14;
    }
    if (!log.handoffs().empty()) {
        p.setPen(QPen(stateColor(ProcState::InCriticalSection), 2, Qt::DashLine));
        p.drawLine(QPointF(x, y - fm.ascent() / 3), QPointF(x + 18, y - fm.ascent() / 3));
        p.setPen(style.text);
        p.drawText(QPointF(x + 22, y), QObject::tr("lock handed over"));
        x += 22 + fm.horizontalAdvance(QObject::tr("lock handed over")) + 14;
    }
    if (!log.wakeups().empty()) {
        p.setPen(QPen(style.text, 2, Qt::DotLine));
        p.drawLine(QPointF(x, y - fm.ascent() / 3), QPointF(x + 18, y - fm.ascent() / 3));
        p.setPen(style.text);
        p.drawText(QPointF(x + 22, y), QObject::tr("let a waiter go"));
    }
    if (const std::uint64_t dropped = log.dropped()) {
        const QString text = QObject::tr("%1 events not traced (full speed)").arg(compactNumber(double(dropped)));
        p.setPen(stateColor(ProcState::Failed));
        p.drawText(QRectF(area.left(), y - fm.ascent(), area.width(), fm.height()), Qt::AlignRight, text);
    }
}

} // namespace

void paintSequenceChart(QPainter &p, const QRectF &area, const TraceLog &log, const SequenceWindow &window,
                        const ChartStyle &style, const QString &title)
{
    p.save();
    p.fillRect(area, style.background);
    p.setRenderHint(QPainter::Antialiasing);
    p.setFont(style.titleFont);
    p.setPen(style.text);
    const QFontMetricsF titleMetrics(style.titleFont);
    p.drawText(QRectF(area.left(), area.top(), area.width(), titleMetrics.height()), Qt::AlignHCenter | Qt::AlignTop,
               titleMetrics.elidedText(title, Qt::ElideRight, area.width() - 8));
    const SequenceLayout layout(area, log, window, style);
    if (log.processes().empty()) {
        p.setFont(style.labelFont);
        p.drawText(layout.plot(), Qt::AlignCenter | Qt::TextWordWrap,
                   QObject::tr("No events yet: start a lesson, and each put and get, send and receive, "
                               "wait and lock appears here as it happens."));
        p.restore();
        return;
    }
    drawTimeAxis(p, layout, window, style);
    drawLifelines(p, layout, log, style);
    p.setClipRect(layout.plot().adjusted(-2, -2, 2, 2));
    drawIntervals(p, layout, log, window.endNs); // over the lifelines' dashes
    drawSignals(p, layout, log, style);
    drawArrows(p, layout, log, style);
    drawWakeups(p, layout, log, style);
    drawUnreceived(p, layout, log, style);
    p.setClipping(false);
    drawFooter(p, area, layout, log, style);
    p.restore();
}

void writeSequenceCsv(QTextStream &out, const TraceLog &log, std::uint64_t originNs)
{
    out << "time_s,process,pid,event,object,number,state\n";
    for (const TracedEvent &e : log.events()) {
        const auto &procs = log.processes();
        const TracedProcess *p = e.slot < procs.size() ? &procs[e.slot] : nullptr;
        const double t = e.event.timeNs >= originNs ? double(e.event.timeNs - originNs) * 1e-9 : 0.0;
        QString kind;
        QString state;
        switch (e.event.kind) {
        case TraceKind::State:
            kind = QStringLiteral("state");
            if (e.event.state < std::uint8_t(ProcState::Count_))
                state = QString::fromUtf8(procStateName(ProcState(e.event.state)));
            break;
        case TraceKind::Put: kind = QStringLiteral("put"); break;
        case TraceKind::Get: kind = QStringLiteral("get"); break;
        case TraceKind::Send: kind = QStringLiteral("send"); break;
        case TraceKind::Recv: kind = QStringLiteral("recv"); break;
        case TraceKind::Exit: kind = QStringLiteral("exit"); break;
        case TraceKind::Start: kind = QStringLiteral("start"); break;
        case TraceKind::OwnerDied: kind = QStringLiteral("owner died"); break;
        case TraceKind::Wake: kind = QStringLiteral("wake"); break;
        case TraceKind::Signal:
            kind = QStringLiteral("signal ") + QString::fromStdString(signalName(int(e.event.seq)));
            break;
        }
        const bool numbered = e.event.kind != TraceKind::State;
        out << QString::number(t, 'f', 9) << ',' << (p ? QString::fromStdString(p->role) : QString()) << ','
            << (p ? p->pid : 0) << ',' << kind << ','
            << (e.event.object == kNoObject ? QString() : QString::fromStdString(log.objectName(e.event.object)))
            << ',' << (numbered ? QString::number(e.event.seq) : QString()) << ',' << state << '\n';
    }
}

// --- the widget ---------------------------------------------------------------

SequenceChart::SequenceChart(QWidget *parent) : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(200, 160);
    setToolTip(tr("Who sent what to whom: wheel scrolls back in time, Ctrl+wheel or +/- zooms, "
                  "Home shows the whole run, End follows it again"));
}

void SequenceChart::setTrace(const TraceLog *log, std::uint64_t originNs)
{
    m_log = log;
    m_originNs = originNs;
    m_nowNs = originNs;
    follow();
}

void SequenceChart::setTitle(const QString &title)
{
    m_title = title;
    update();
}

void SequenceChart::setChartStyle(const ChartStyle &style)
{
    m_style = style;
    update();
}

void SequenceChart::refresh()
{
    if (isVisible()) update();
}

std::uint64_t SequenceChart::lastEventNs() const
{
    if (!m_log || m_log->events().empty()) return m_originNs;
    return m_log->events().back().event.timeNs;
}

// While following, the picture reaches down to the latest of the last
// event and the last sample: a stalled run's waits grow to now.
std::uint64_t SequenceChart::followedEndNs() const { return std::max(lastEventNs(), m_nowNs); }

// Following with no zoom of the lecturer's: as much time as the last
// arrows need to stand a label's height apart, so a fast run is readable
// (it shows the last milliseconds); with few arrows, the whole run.
std::uint64_t SequenceChart::autoSpanNs() const
{
    const std::uint64_t end = followedEndNs();
    const std::uint64_t whole = std::max<std::uint64_t>(end > m_originNs ? end - m_originNs : 0, 1'000'000'000) * 22 / 19;
    if (!m_log) return whole;
    const qreal line = QFontMetricsF(m_style.labelFont).height();
    const auto arrows = std::size_t(std::max(6.0, height() / (line * 1.6)));
    std::vector<std::uint64_t> starts;
    const auto &messages = m_log->messages();
    for (std::size_t i = messages.size(); i-- > 0 && starts.size() < arrows;) starts.push_back(messages[i].sentNs);
    for (const MessageArrow &m : m_log->unreceived()) starts.push_back(m.sentNs);
    const auto &handoffs = m_log->handoffs();
    // (The last `arrows` hand-overs.)
    for (std::size_t i = handoffs.size() > arrows ? handoffs.size() - arrows : 0; i < handoffs.size(); ++i)
        starts.push_back(handoffs[i].releasedNs);
    if (starts.size() < arrows) return whole;
    std::nth_element(starts.begin(), starts.end() - std::ptrdiff_t(arrows), starts.end());
    const std::uint64_t from = starts[starts.size() - arrows];
    const std::uint64_t span = end > from ? (end - from) * 11 / 10 : whole;
    return std::clamp<std::uint64_t>(span, 200'000, whole);
}

SequenceWindow SequenceChart::window() const
{
    SequenceWindow w;
    w.originNs = m_originNs;
    w.spanNs = m_following && m_autoSpan ? autoSpanNs() : m_spanNs;
    w.endNs = m_following ? followedEndNs() + w.spanNs / 20 : m_endNs;
    // Never before the run, but with a margin above its start, so what
    // happened at once (the deadlock's two sends) is not on the edge.
    w.endNs = std::max(w.endNs, m_originNs + w.spanNs - w.spanNs / 20);
    return w;
}

void SequenceChart::setNow(std::uint64_t nowNs)
{
    m_nowNs = nowNs;
    refresh();
}

void SequenceChart::setSpan(std::uint64_t spanNs)
{
    const SequenceWindow before = window();
    m_autoSpan = false;
    m_spanNs = std::clamp<std::uint64_t>(spanNs, 1'000'000, 3600ull * 1'000'000'000);
    if (!m_following) m_endNs = before.endNs - before.spanNs / 2 + m_spanNs / 2; // keep the middle
    update();
}

void SequenceChart::follow()
{
    m_following = true;
    m_autoSpan = true;
    update();
}

void SequenceChart::showWholeRun()
{
    m_following = true;
    m_autoSpan = false;
    // Following puts the last event a twentieth of the span above the
    // bottom: the span that then reaches back to the start.
    m_spanNs = std::max<std::uint64_t>(followedEndNs() - m_originNs + 1, 1'000'000) * 22 / 19;
    update();
}

void SequenceChart::scrollBy(double fractionOfSpan)
{
    const SequenceWindow w = window();
    m_spanNs = w.spanNs; // scrolled back, the picture keeps its scale
    m_autoSpan = false;
    const double moved = double(w.endNs) + fractionOfSpan * double(w.spanNs);
    const std::uint64_t last = followedEndNs() + m_spanNs / 20;
    m_endNs = std::uint64_t(std::clamp(moved, double(m_originNs + m_spanNs), double(std::max(last, m_originNs + m_spanNs))));
    m_following = m_endNs >= last;
    update();
}

void SequenceChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    static const TraceLog kEmpty;
    paintSequenceChart(p, QRectF(rect()), m_log ? *m_log : kEmpty, window(), m_style, m_title);
    if (hasFocus()) {
        p.setPen(QPen(palette().highlight().color(), 2));
        p.drawRect(QRectF(rect()).adjusted(1, 1, -1, -1));
    }
}

void SequenceChart::wheelEvent(QWheelEvent *event)
{
    const double notches = event->angleDelta().y() / 120.0;
    if (event->modifiers() & Qt::ControlModifier)
        setSpan(std::uint64_t(double(m_spanNs) * std::pow(0.8, notches)));
    else
        scrollBy(-notches * 0.2);
    event->accept();
}

void SequenceChart::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: setSpan(m_spanNs * 4 / 5); break;
    case Qt::Key_Minus: setSpan(m_spanNs * 5 / 4); break;
    case Qt::Key_Up: scrollBy(-0.2); break;
    case Qt::Key_Down: scrollBy(0.2); break;
    case Qt::Key_PageUp: scrollBy(-0.9); break;
    case Qt::Key_PageDown: scrollBy(0.9); break;
    case Qt::Key_Home: showWholeRun(); break;
    case Qt::Key_End: follow(); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

QImage SequenceChart::renderImage(const ExportOptions &options) const
{
    QImage image(options.pixelSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(options.style.background);
    QPainter p(&image);
    p.scale(qreal(image.width()) / options.logicalSize.width(), qreal(image.height()) / options.logicalSize.height());
    static const TraceLog kEmpty;
    paintSequenceChart(p, QRectF(QPointF(0, 0), QSizeF(options.logicalSize)), m_log ? *m_log : kEmpty, window(),
                       options.style, m_title);
    return image;
}

Result<void> SequenceChart::exportTo(ExportFormat format, const QString &path, const ExportOptions &options) const
{
    static const TraceLog kEmpty;
    const TraceLog &log = m_log ? *m_log : kEmpty;
    if (format == ExportFormat::Csv) {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
            return fail(Errc::System, "cannot write CSV '" + path.toStdString() + "': " + file.errorString().toStdString());
        {
            QTextStream out(&file);
            writeSequenceCsv(out, log, m_originNs);
        }
        if (!file.commit())
            return fail(Errc::System, "cannot write CSV '" + path.toStdString() + "': " + file.errorString().toStdString());
        return {};
    }
    const SequenceWindow w = window();
    const QSizeF logical(options.logicalSize);
    const QString title = m_title;
    const ChartStyle style = options.style;
    return exportPainting(
        [&](QPainter &p, const QRectF &target) {
            p.save();
            p.translate(target.topLeft());
            p.scale(target.width() / logical.width(), target.height() / logical.height());
            paintSequenceChart(p, QRectF(QPointF(0, 0), logical), log, w, style, title);
            p.restore();
        },
        format, path, options, title);
}

} // namespace ipc
