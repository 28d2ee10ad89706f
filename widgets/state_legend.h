// StateLegend: what the colours of the diagram, the table and the timeline
// mean, as a row of coloured chips under the diagram.
#pragma once

#include <QLabel>

namespace ipc {

class StateLegend : public QLabel {
    Q_OBJECT
public:
    explicit StateLegend(QWidget *parent = nullptr);
};

} // namespace ipc
