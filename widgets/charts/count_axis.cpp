#include "count_axis.h"

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

QString CountAxis::compact(double v)
{
    const double a = std::fabs(v);
    auto fmt = [&](double scaled, const char *unit) {
        // One decimal only where it carries information (1.5 M, not 2.0 M).
        const bool whole = std::fabs(scaled - std::round(scaled)) < 1e-6;
        return QString::number(scaled, 'f', whole ? 0 : 1) + QString::fromLatin1(unit);
    };
    if (a >= 1e9) return fmt(v / 1e9, " G");
    if (a >= 1e6) return fmt(v / 1e6, " M");
    if (a >= 1e4) return fmt(v / 1e3, " k");
    if (a >= 10 || a == 0) return QString::number(std::round(v), 'f', 0);
    return QString::number(v, 'g', 2);
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
        QString label = compact(v) + m_suffix;
        // Category labels must be unique; a zero-width space keeps them so.
        while (categoriesLabels().contains(label)) label += QChar(0x200B);
        append(label, v);
    }
}

} // namespace ipc
