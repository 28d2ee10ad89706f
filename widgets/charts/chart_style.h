// ChartStyle: how every chart looks, on screen and in exports. Presentation
// mode (large fonts, thick lines, high contrast) is one of these; exports
// use the style of the window at the time, so slides match the screen.
#pragma once

#include <QColor>
#include <QFont>
#include <QList>

namespace ipc {

struct ChartStyle {
    bool presentation = false;
    QFont titleFont;
    QFont axisTitleFont;
    QFont labelFont;
    QFont legendFont;
    qreal lineWidth = 2.5;
    QColor text;
    QColor grid;
    QColor axisLine;
    QColor background;
    QColor plotBackground;

    [[nodiscard]] static ChartStyle normal();
    [[nodiscard]] static ChartStyle presentationMode();
    [[nodiscard]] static ChartStyle forMode(bool presentation)
    {
        return presentation ? presentationMode() : normal();
    }
    // The n-th series colour: distinct on a projector and in greyscale print.
    [[nodiscard]] static QColor seriesColor(int n);
};

} // namespace ipc
