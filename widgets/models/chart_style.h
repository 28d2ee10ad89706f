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
    // How much larger than normal the audience's text is (presentation
    // mode's scale factor; 1 otherwise).
    qreal textScale = 1.0;
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
    // Presentation mode's text scale when none is set: right for a
    // 1024x768 projector.
    static constexpr qreal kDefaultPresentationScale = 1.45;
    [[nodiscard]] static ChartStyle presentationMode(qreal textScale = kDefaultPresentationScale);
    [[nodiscard]] static ChartStyle forMode(bool presentation, qreal textScale = kDefaultPresentationScale)
    {
        return presentation ? presentationMode(textScale) : normal();
    }
    // The n-th series colour: distinct on a projector and in greyscale print.
    [[nodiscard]] static QColor seriesColor(int n);
};

} // namespace ipc
