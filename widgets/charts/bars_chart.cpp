#include "bars_chart.h"

#include <QBarSet>

#include <algorithm>

namespace ipc {

BarsChart::BarsChart(ChartContext context)
    : LiveChart(ChartKind::Bars, std::move(context)), m_categories(new QBarCategoryAxis(this)),
      m_y(new CountAxis(this))
{
    // Categories, not time, along the bottom.
    removeAxis(m_timeAxis);
    delete m_timeAxis;
    m_timeAxis = nullptr;
    addAxis(m_categories, Qt::AlignBottom);
    addAxis(m_y, Qt::AlignLeft);
    setTitle(tr("Results"));
    applyStyle(style());
}

void BarsChart::refresh(const History &history)
{
    const Bars &bars = history.bars();
    if (bars == m_shown) return; // results change a few times a run, ticks 30 times a second
    const bool sameShape = m_series && bars.categories == m_shown.categories &&
                           bars.sets.size() == m_shown.sets.size() &&
                           std::equal(bars.sets.begin(), bars.sets.end(), m_shown.sets.begin(),
                                      [](const Bars::Set &a, const Bars::Set &b) { return a.name == b.name; });
    if (!sameShape) {
        rebuild(bars);
    } else {
        const QList<QBarSet *> sets = m_series->barSets();
        for (std::size_t s = 0; s < bars.sets.size(); ++s)
            for (std::size_t c = 0; c < bars.categories.size(); ++c) {
                const double v = c < bars.sets[s].values.size() ? bars.sets[s].values[c] : 0.0;
                if (sets[qsizetype(s)]->at(int(c)) != v) sets[qsizetype(s)]->replace(int(c), v);
            }
    }
    if (bars.title != m_shown.title) setTitle(QString::fromStdString(bars.title));
    m_categories->setTitleText(QString::fromStdString(bars.categoryLabel));
    m_y->setTitleText(QString::fromStdString(bars.valueLabel));
    double hi = 0;
    for (const Bars::Set &s : bars.sets)
        for (double v : s.values) hi = std::max(hi, v);
    // Room above the tallest bar for its label.
    m_y->fit(0, std::max(1.0, hi * 1.15));
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
    for (const std::string &c : bars.categories) categories << QString::fromStdString(c);
    m_categories->clear();
    m_categories->append(categories);
    if (bars.empty()) return;
    m_series = new QBarSeries(this);
    for (const Bars::Set &s : bars.sets) {
        auto *set = new QBarSet(QString::fromStdString(s.name));
        for (std::size_t c = 0; c < bars.categories.size(); ++c)
            set->append(c < s.values.size() ? s.values[c] : 0.0);
        m_series->append(set);
    }
    m_series->setLabelsVisible(true);
    m_series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    m_series->setLabelsPrecision(8); // whole numbers up to 10^8, never "1.2e+07"
    addSeries(m_series);
    m_series->attachAxis(m_categories);
    m_series->attachAxis(m_y);
    styleSets();
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
