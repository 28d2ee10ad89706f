// Numbers as a slide shows them: "950", "12 k", "1.5 M", "2 G" -- short
// enough for a diagram box or an axis label read from the back row.
#pragma once

#include <QString>

namespace ipc {

[[nodiscard]] QString compactNumber(double v);

} // namespace ipc
