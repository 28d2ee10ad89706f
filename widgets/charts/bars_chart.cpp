#include "bars_chart.h"

#include <QBarSet>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace ipc {

BarsChart::BarsChart(ChartContext context)
    : LiveChart(ChartKind::Bars, std::move(context)), m_categories(new QBarCategoryAxis(this)),
      m_y(new CountAxis(this)), m_log(new QLogValueAxis(this))
{
    // Categories, not time, along the bottom.
    removeAxis(m_timeAxis);
    delete m_timeAxis;
    m_timeAxis = nullptr;
    addAxis(m_categories, Qt::AlignBottom);
    addAxis(m_y, Qt::AlignLeft);
    m_log->setLabelFormat(QStringLiteral("%g"));
    m_log->setBase(10);
    m_log->setVisible(false);
    addAxis(m_log, Qt::AlignLeft);
    setHeading(tr("Results"));
    applyStyle(style());
}

void BarsChart::refresh(const History &history)
{
    const Bars &bars = history.bars();
    if (bars == m_shown) return; // results change a few times a run, ticks 30 times a second
    const bool sameShape = m_series && bars.categories == m_shown.categories && bars.logScale == m_shown.logScale &&
                           bars.sets.size() == m_shown.sets.size() &&
                           std::equal(bars.sets.begin(), bars.sets.end(), m_shown.sets.begin(),
                                      [](const Bars::Set &a, const Bars::Set &b) { return a.name == b.name; });
    double hi = 0;
    double lo = 0; // the smallest value above 0
    for (const Bars::Set &s : bars.sets)
        for (double v : s.values) {
            hi = std::max(hi, v);
            if (v > 0 && (lo == 0 || v < lo)) lo = v;
        }
    // Bar labels of eight digits ("19569759") ran into each other: values
    // of five digits and more are shown in thousands or millions, with the
    // unit in the axis title. The CSV keeps the exact numbers.
    const double scale = hi >= 1e6 ? 1e6 : hi >= 1e4 ? 1e3 : 1;
    // On a log axis: whole decades, the smallest bar a decade above the
    // floor so it is seen, room above the tallest for its label. A bar not
    // measured yet (0) has no logarithm: it stands at the floor, unseen.
    const double top = std::max(hi, 1.0) / scale;
    const double bottom = lo > 0 ? lo / scale : top / 100;
    m_logFloor = std::pow(10.0, std::floor(std::log10(bottom)) - 1);
    if (!sameShape || scale != m_scale) {
        m_scale = scale;
        rebuild(bars);
    } else {
        const QList<QBarSet *> sets = m_series->barSets();
        for (std::size_t s = 0; s < bars.sets.size(); ++s)
            for (std::size_t c = 0; c < bars.categories.size(); ++c) {
                const double v = barValue(bars, s, c);
                if (sets[qsizetype(s)]->at(int(c)) != v) sets[qsizetype(s)]->replace(int(c), v);
            }
    }
    if (bars.title != m_shown.title) setHeading(QString::fromStdString(bars.title));
    m_categories->setTitleText(QString::fromStdString(bars.categoryLabel));
    // "items/s (M)"; on a log axis "items/s (M, log)", short enough for a
    // projector's axis.
    QStringList notes;
    if (m_scale == 1e6) notes << tr("M");
    if (m_scale == 1e3) notes << tr("k");
    if (bars.logScale) notes << tr("log");
    const QString valueTitle = QString::fromStdString(bars.valueLabel) +
                               (notes.isEmpty() ? QString() : QStringLiteral(" (") + notes.join(QStringLiteral(", ")) + QStringLiteral(")"));
    if (bars.logScale) {
        m_log->setTitleText(valueTitle);
        m_log->setRange(m_logFloor, std::pow(10.0, std::ceil(std::log10(top * 1.5))));
        // A label on a bar at the floor would state a value nobody measured:
        // the labels come once every bar has one.
        bool allMeasured = true;
        for (const Bars::Set &set : bars.sets)
            for (double v : set.values) allMeasured = allMeasured && v > 0;
        if (m_series) m_series->setLabelsVisible(allMeasured);
    } else {
        if (m_series) m_series->setLabelsVisible(true);
        m_y->setTitleText(valueTitle);
        // Room above the tallest bar for its label.
        m_y->fit(0, std::max(1.0, hi / m_scale * 1.15));
    }
    m_shown = bars;
}

void BarsChart::rebuild(const Bars &bars)
{
    if (m_series) {
        removeSeries(m_series);
        delete m_series;
        m_series = nullptr;
    }
    QStringList categories;
    for (const std::string &c : bars.categories) {
        QString label = QString::fromStdString(c);
        // More than four names side by side under half the window: Qt Charts
        // leaves out those wider than their bar ("Value+Lock"); broken into
        // lines they fit.
        if (bars.categories.size() > 4) {
            label.replace(QStringLiteral("+"), QStringLiteral("+<br>")).replace(QStringLiteral(" "), QStringLiteral("<br>"));
            static const QRegularExpression camel(QStringLiteral("([a-z])([A-Z])"));
            label.replace(camel, QStringLiteral("\\1<br>\\2")); // "SharedMemory" -> "Shared", "Memory"
        }
        categories << label;
    }
    m_categories->clear();
    m_categories->append(categories);
    if (bars.empty()) return;
    m_series = new QBarSeries(this);
    for (const Bars::Set &s : bars.sets) {
        auto *set = new QBarSet(QString::fromStdString(s.name));
        for (std::size_t c = 0; c < bars.categories.size(); ++c)
            set->append(barValue(bars, std::size_t(&s - bars.sets.data()), c));
        m_series->append(set);
    }
    m_series->setLabelsVisible(true);
    m_series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    // Whole numbers up to 9999 as they are; scaled ones with three digits.
    m_series->setLabelsPrecision(m_scale == 1 ? 8 : 3);
    addSeries(m_series);
    m_series->attachAxis(m_categories);
    // Both value axes stay on the chart, one shown: taking an axis off
    // leaves its drawing to a deferred delete, which an export never runs.
    QAbstractAxis *used = bars.logScale ? static_cast<QAbstractAxis *>(m_log) : m_y;
    QAbstractAxis *unused = bars.logScale ? static_cast<QAbstractAxis *>(m_y) : m_log;
    unused->setVisible(false);
    used->setVisible(true);
    m_series->attachAxis(used);
    styleSets();
}

double BarsChart::barValue(const Bars &bars, std::size_t set, std::size_t category) const
{
    const std::vector<double> &values = bars.sets[set].values;
    const double v = (category < values.size() ? values[category] : 0.0) / m_scale;
    return bars.logScale && v <= 0 ? m_logFloor : v;
}

void BarsChart::applyStyle(const ChartStyle &style)
{
    LiveChart::applyStyle(style);
    styleSets();
}

void BarsChart::styleSets()
{
    if (!m_series) return;
    const QList<QBarSet *> sets = m_series->barSets();
    for (qsizetype i = 0; i < sets.size(); ++i) {
        const QColor color = ChartStyle::seriesColor(int(i));
        sets[i]->setColor(color);
        sets[i]->setBorderColor(color.darker(120));
        sets[i]->setLabelColor(style().text);
        sets[i]->setLabelFont(style().labelFont);
    }
}

void BarsChart::writeCsv(QTextStream &out, const History &history) const
{
    const Bars &bars = history.bars();
    out << csvField(QString::fromStdString(bars.categoryLabel.empty() ? "category" : bars.categoryLabel));
    for (const Bars::Set &s : bars.sets) out << ',' << csvField(QString::fromStdString(s.name));
    out << '\n';
    for (std::size_t c = 0; c < bars.categories.size(); ++c) {
        out << csvField(QString::fromStdString(bars.categories[c]));
        for (const Bars::Set &s : bars.sets)
            out << ',' << QString::number(c < s.values.size() ? s.values[c] : 0.0, 'g', 15);
        out << '\n';
    }
}

} // namespace ipc
