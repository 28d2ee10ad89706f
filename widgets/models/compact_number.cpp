#include "compact_number.h"

#include <cmath>

namespace ipc {

QString compactNumber(double v)
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

} // namespace ipc
