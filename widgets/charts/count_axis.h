// CountAxis: a value axis whose labels stay short on a slide ("0", "250 k",
// "1.5 M" instead of "1500000") and whose range follows the data in nice
// steps, growing at once and shrinking only when the data falls well below
// it, so the chart does not twitch on every tick.
#pragma once

#include <QCategoryAxis>

namespace ipc {

class CountAxis : public QCategoryAxis {
    Q_OBJECT
public:
    explicit CountAxis(QObject *parent = nullptr);

    // Makes [lo, hi] visible (lo <= 0 <= hi is typical); `unit` is appended
    // to labels ("/s").
    void fit(double lo, double hi);
    void setUnitSuffix(const QString &suffix);

    // 1, 2, 2.5, 5 x 10^k at or above x.
    [[nodiscard]] static double niceCeil(double x);

private:
    void relabel();

    double m_lo = 0;
    double m_hi = 0;
    double m_step = 1;
    QString m_suffix;
};

} // namespace ipc
