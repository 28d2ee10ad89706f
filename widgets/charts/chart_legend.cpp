#include "chart_legend.h"

#include "live_chart.h"

#include <QChart>
#include <QFontMetrics>
#include <QLegend>
#include <QLegendMarker>
#include <QPainter>

namespace ipc {

ChartLegend::ChartLegend(QChart *chart, QWidget *parent) : QWidget(parent), m_chart(chart)
{
    setAttribute(Qt::WA_TransparentForMouseEvents); // clicks belong to the chart
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

bool ChartLegend::sync()
{
    QList<Entry> entries;
    // (a marker of a hidden legend reports itself hidden: what the chart
    // leaves out is marked on the series)
    for (QLegendMarker *marker : m_chart->legend()->markers()) {
        if (!LiveChart::inLegend(marker->series()) || marker->label().isEmpty()) continue;
        const QBrush brush = marker->brush();
        entries.append({marker->label(), brush.style() == Qt::NoBrush ? marker->pen().color() : brush.color()});
    }
    if (entries == m_entries) return false;
    m_entries = entries;
    updateGeometry();
    update();
    return true;
}

void ChartLegend::setLegendFont(const QFont &font)
{
    setFont(font);
    updateGeometry();
    update();
}

QStringList ChartLegend::labels() const
{
    QStringList out;
    for (const Entry &e : m_entries) out << e.label;
    return out;
}

QList<ChartLegend::Placed> ChartLegend::layoutFor(int width) const
{
    const QFontMetrics fm(font());
    const int line = fm.height();
    const int swatch = std::max(8, fm.ascent() * 3 / 4);
    const int gap = fm.horizontalAdvance(QLatin1Char(' '));
    const int spacing = 3 * gap; // between entries
    width = std::max(width, swatch + gap + fm.averageCharWidth() * 4);

    QList<Placed> out;
    int x = 0;
    int y = 0;
    int rowHeight = 0;
    for (const Entry &e : m_entries) {
        const int textWidth = fm.horizontalAdvance(e.label);
        int entryWidth = swatch + gap + textWidth;
        if (x > 0 && x + entryWidth > width) { // next row
            x = 0;
            y += rowHeight;
            rowHeight = 0;
        }
        // A name wider than the legend wraps within it rather than being cut.
        const int textRoom = width - x - swatch - gap;
        QRect text(x + swatch + gap, y, textWidth, line);
        if (textWidth > textRoom)
            text = fm.boundingRect(QRect(x + swatch + gap, y, textRoom, 100 * line),
                                   Qt::TextWordWrap, e.label);
        entryWidth = swatch + gap + text.width();
        out.append({QRect(x, y + (line - swatch) / 2, swatch, swatch), text});
        x += entryWidth + spacing;
        rowHeight = std::max(rowHeight, text.height());
    }
    return out;
}

QList<QRect> ChartLegend::textRects(int width) const
{
    QList<QRect> out;
    for (const Placed &p : layoutFor(width)) out << p.text;
    return out;
}

int ChartLegend::heightForWidth(int width) const
{
    int bottom = 0;
    for (const Placed &p : layoutFor(width)) bottom = std::max(bottom, p.text.bottom() + 1);
    return bottom;
}

int ChartLegend::widestEntry() const
{
    const QFontMetrics fm(font());
    const int swatch = std::max(8, fm.ascent() * 3 / 4);
    int widest = 0;
    for (const Entry &e : m_entries) widest = std::max(widest, fm.horizontalAdvance(e.label));
    return widest == 0 ? 0 : swatch + fm.horizontalAdvance(QLatin1Char(' ')) + widest + 1;
}

QSize ChartLegend::sizeHint() const
{
    const int w = std::max(parentWidget() ? parentWidget()->width() : 300, 100);
    return {w, heightForWidth(w)};
}

void ChartLegend::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QList<Placed> placed = layoutFor(width());
    for (int i = 0; i < placed.size(); ++i) {
        const Entry &e = m_entries[i];
        p.setPen(e.color.darker(140));
        p.setBrush(e.color);
        p.drawRect(placed[i].swatch.adjusted(0, 0, -1, -1));
        p.setPen(palette().color(QPalette::WindowText));
        // A name laid out on one line is drawn on one line (word-wrapping it
        // in a rect exactly its width could push its last word below).
        const bool wrapped = placed[i].text.height() > fontMetrics().height();
        p.drawText(placed[i].text, wrapped ? Qt::TextWordWrap : (Qt::TextSingleLine | Qt::TextDontClip), e.label);
    }
}

} // namespace ipc
