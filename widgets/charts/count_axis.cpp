#include "count_axis.h"

#include "compact_number.h"

#include <cmath>

namespace ipc {

CountAxis::CountAxis(QObject *parent) : QCategoryAxis(parent)
{
    setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    fit(0, 1);
}

double CountAxis::niceCeil(double x)
{
    if (!(x > 0) || !std::isfinite(x)) return 1;
    const double p = std::pow(10.0, std::floor(std::log10(x)));
    for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * p >= x * (1 - 1e-9)) return m * p;
    return 10 * p;
}

void CountAxis::setUnitSuffix(const QString &suffix)
{
    if (suffix == m_suffix) return;
    m_suffix = suffix;
    relabel();
}

void CountAxis::fit(double lo, double hi)
{
    if (!std::isfinite(lo)) lo = 0;
    if (!std::isfinite(hi)) hi = 1;
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
    const double span = std::max(hi - lo, 1e-9);
    // Grow at once; shrink only when the data uses less than 40% of the axis.
    const bool fits = lo >= m_lo && hi <= m_hi;
    const bool tooLoose = span < 0.4 * (m_hi - m_lo);
    if (fits && !tooLoose && m_hi > m_lo) return;
    const double top = niceCeil(std::max(hi, 1e-9) * 1.05);
    const double step = niceCeil(std::max(top, span) / 5.0);
    double newHi = std::ceil(hi * 1.05 / step) * step;
    double newLo = lo < 0 ? -std::ceil(-lo * 1.05 / step) * step : 0.0;
    if (newHi <= 0 && newLo >= 0) newHi = step;
    if (newHi <= newLo) newHi = newLo + step;
    m_lo = newLo;
    m_hi = newHi;
    m_step = step;
    relabel();
}

void CountAxis::relabel()
{
    for (const QString &label : categoriesLabels()) remove(label);
    setStartValue(m_lo);
    setRange(m_lo, m_hi);
    // Labels sit on the values (AxisLabelsPositionOnValue), one per step.
    const int steps = int(std::round((m_hi - m_lo) / m_step));
    for (int i = 0; i <= steps && i <= 50; ++i) {
        const double v = m_lo + i * m_step;
        QString label = compactNumber(v) + m_suffix;
        // Category labels must be unique; a zero-width space keeps them so.
        while (categoriesLabels().contains(label)) label += QChar(0x200B);
        append(label, v);
    }
}

} // namespace ipc
