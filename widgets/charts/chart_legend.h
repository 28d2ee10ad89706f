// ChartLegend: a chart's legend on screen, its entries flowing into as many
// rows as the width needs. Qt Charts' own legend keeps one row or column
// and elides what does not fit, which at a projector's 1024 pixels left
// coloured squares with "Lin..." beside them; this one never shortens a
// name (a name wider than the whole legend wraps onto a second line).
//
// It reads the entries from the chart's QLegend (its visible markers), so
// every chart keeps deciding what its legend says; exports draw the chart
// with its own legend, on a slide wide enough for it.
#pragma once

#include <QColor>
#include <QFont>
#include <QList>
#include <QWidget>

class QChart;

namespace ipc {

class ChartLegend : public QWidget {
    Q_OBJECT
public:
    explicit ChartLegend(QChart *chart, QWidget *parent = nullptr);

    // Takes the entries from the chart's legend again; true if they changed.
    bool sync();
    void setLegendFont(const QFont &font);

    [[nodiscard]] QStringList labels() const;
    // Where entry i's text is drawn at width `width`, in this widget's
    // coordinates: whole, never elided.
    [[nodiscard]] QList<QRect> textRects(int width) const;
    [[nodiscard]] bool hasHeightForWidth() const override { return true; }
    [[nodiscard]] int heightForWidth(int width) const override;
    [[nodiscard]] QSize sizeHint() const override;
    // The width of its widest entry: a column of entries needs no more.
    [[nodiscard]] int widestEntry() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Entry {
        QString label;
        QColor color;
        bool operator==(const Entry &) const = default;
    };
    struct Placed {
        QRect swatch;
        QRect text;
    };
    [[nodiscard]] QList<Placed> layoutFor(int width) const;

    QChart *m_chart;
    QList<Entry> m_entries;
};

} // namespace ipc
