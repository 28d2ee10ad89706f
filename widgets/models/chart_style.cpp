#include "chart_style.h"

#include <QGuiApplication>

namespace ipc {

namespace {

QFont font(qreal points, bool bold)
{
    QFont f = QGuiApplication::font();
    f.setPointSizeF(points);
    f.setBold(bold);
    return f;
}

} // namespace

ChartStyle ChartStyle::normal()
{
    ChartStyle s;
    s.presentation = false;
    s.titleFont = font(13, true);
    s.axisTitleFont = font(10.5, false);
    s.labelFont = font(10, false);
    s.legendFont = font(10, false);
    s.lineWidth = 2.5;
    s.text = QColor(0x21, 0x21, 0x21);
    s.grid = QColor(0xe0, 0xe0, 0xe0);
    s.axisLine = QColor(0x75, 0x75, 0x75);
    s.background = Qt::white;
    s.plotBackground = Qt::white;
    return s;
}

ChartStyle ChartStyle::presentationMode(qreal textScale)
{
    ChartStyle s;
    s.presentation = true;
    s.textScale = textScale;
    // Normal text times the scale (at the default: a title of 18 points,
    // which still fits a half-width chart on a 1280-pixel slide).
    s.titleFont = font(12.4 * textScale, true);
    s.axisTitleFont = font(10.3 * textScale, true);
    s.labelFont = font(9.7 * textScale, true);
    s.legendFont = font(9 * textScale, true);
    s.lineWidth = 5;
    s.text = Qt::black;
    s.grid = QColor(0xb0, 0xb0, 0xb0);
    s.axisLine = Qt::black;
    s.background = Qt::white;
    s.plotBackground = Qt::white;
    return s;
}

QColor ChartStyle::seriesColor(int n)
{
    static const QList<QColor> kColors = {
        QColor(0x1f, 0x5f, 0xbf), // blue
        QColor(0x2e, 0x9d, 0x3a), // green
        QColor(0xd3, 0x2f, 0x2f), // red
        QColor(0xef, 0x8a, 0x00), // orange
        QColor(0x7b, 0x1f, 0xa2), // purple
        QColor(0x00, 0x83, 0x8f), // teal
        QColor(0x6d, 0x4c, 0x41), // brown
        QColor(0xc2, 0x18, 0x5b), // pink
    };
    return kColors[n % kColors.size()];
}

} // namespace ipc
