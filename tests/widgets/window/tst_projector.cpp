// The window on a projector: run once per screen size (CTest gives the
// offscreen platform a 1024x768, 1280x720 or 1920x1080 screen), every
// lesson in normal and in presentation mode, while it runs:
//   - the window fits the screen;
//   - Start, Stop and Kill are on screen, and every parameter can be
//     scrolled into view, none of them cut by a pane or squeezed below the
//     size it needs;
//   - every chart shown keeps its title whole, names every axis with a
//     title that fits beside the plot, and lists every legend entry whole;
//   - in presentation mode the diagram's smallest text is 12 px or more;
//   - a double-clicked chart fills the middle, and Esc brings the rest back.
#include "catalog.h"
#include "chart_legend.h"
#include "charts_panel.h"
#include "controls_panel.h"
#include "main_window.h"
#include "process_diagram.h"
#include "test_support.h"

#include <QAbstractAxis>
#include <QAction>
#include <QGuiApplication>
#include <QScreen>
#include <QScrollArea>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabBar>
#include <QTest>
#include <QToolButton>

using namespace ipc;

namespace {

// Where `w` is cut by an ancestor (a splitter pane, a scroll area's
// viewport) or by the screen; empty if it is whole.
QString clipped(const QWidget *w)
{
    if (!w->isVisible()) return QStringLiteral("hidden");
    const QWidget *top = w->window();
    const QRect own(w->mapTo(top, QPoint(0, 0)), w->size());
    for (const QWidget *p = w->parentWidget(); p; p = p->parentWidget()) {
        const QRect room(p->mapTo(top, QPoint(0, 0)), p->size());
        if (!room.contains(own))
            return QStringLiteral("cut by %1 %2 (%3x%4 at %5,%6 in %7x%8 at %9,%10)")
                .arg(QString::fromLatin1(p->metaObject()->className()), p->objectName())
                .arg(own.width()).arg(own.height()).arg(own.x()).arg(own.y())
                .arg(room.width()).arg(room.height()).arg(room.x()).arg(room.y());
        if (p == top) break;
    }
    const QRect onScreen(top->mapToGlobal(own.topLeft()), own.size());
    if (!top->screen()->geometry().contains(onScreen)) return QStringLiteral("off screen");
    const QSize need = w->minimumSizeHint();
    if (need.isValid() && (w->width() < need.width() || w->height() < need.height()))
        return QStringLiteral("squeezed to %1x%2 (needs %3x%4)")
            .arg(w->width()).arg(w->height()).arg(need.width()).arg(need.height());
    return {};
}

QToolButton *buttonFor(const ControlsPanel *controls, const QAction *action)
{
    for (QToolButton *b : controls->findChildren<QToolButton *>())
        if (b->defaultAction() == action) return b;
    return nullptr;
}

// What a chart on screen gets wrong, or empty.
QString chartProblem(const ChartView *view)
{
    const LiveChart *chart = view->liveChart();
    const QString name = chart->title();
    // The title whole: Qt Charts elides a title wider than the chart.
    const qreal room = chart->size().width() - chart->margins().left() - chart->margins().right();
    const qreal titleWidth = QFontMetricsF(chart->titleFont()).horizontalAdvance(name);
    if (titleWidth > room) return QStringLiteral("'%1': title %2 px wide in %3 px").arg(name).arg(titleWidth).arg(room);
    for (const QAbstractAxis *axis : chart->axes()) {
        if (!axis->isVisible()) continue;
        if (axis->titleText().trimmed().isEmpty() || !axis->isTitleVisible())
            return QStringLiteral("'%1': an axis without a title").arg(name);
        // Qt Charts elides an axis title longer than its side of the plot.
        const qreal along = axis->orientation() == Qt::Vertical ? chart->plotArea().height() : chart->plotArea().width();
        const qreal needed = QFontMetricsF(axis->titleFont()).horizontalAdvance(axis->titleText());
        if (needed > along)
            return QStringLiteral("'%1': axis title '%2' %3 px long beside %4 px").arg(name, axis->titleText()).arg(needed).arg(along);
    }
    // The legend: every entry whole and inside the chart, the plot still there.
    const ChartLegend *legend = view->legend();
    const QStringList labels = legend->labels();
    if (!labels.isEmpty()) {
        if (!legend->isVisible()) return QStringLiteral("'%1': legend hidden").arg(name);
        if (legend->height() < legend->heightForWidth(legend->width()))
            return QStringLiteral("'%1': legend cut (%2 of %3 px)").arg(name).arg(legend->height()).arg(legend->heightForWidth(legend->width()));
        const QList<QRect> texts = legend->textRects(legend->width());
        const QFontMetrics fm(legend->font());
        for (int i = 0; i < texts.size(); ++i) {
            if (!legend->rect().contains(texts[i]))
                return QStringLiteral("'%1': legend entry '%2' outside the legend").arg(name, labels[i]);
            if (texts[i].width() * texts[i].height() < fm.horizontalAdvance(labels[i]) * fm.height() * 9 / 10)
                return QStringLiteral("'%1': legend entry '%2' shortened").arg(name, labels[i]);
        }
        if (!QRect(QPoint(0, 0), view->size()).contains(QRect(legend->pos(), legend->size())))
            return QStringLiteral("'%1': legend outside the chart").arg(name);
    }
    if (chart->plotArea().height() < 50 || chart->plotArea().width() < 120)
        return QStringLiteral("'%1': plot squeezed to %2x%3").arg(name).arg(chart->plotArea().width()).arg(chart->plotArea().height());
    return {};
}

} // namespace

class TestProjector : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void everyLessonFits_data();
    void everyLessonFits();
};

void TestProjector::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    const QSize screen = QGuiApplication::primaryScreen()->geometry().size();
    qInfo("screen %dx%d", screen.width(), screen.height());
}

void TestProjector::everyLessonFits_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("presentation");
    for (const ScenarioInfo &s : scenarioCatalog())
        for (bool presentation : {false, true})
            QTest::newRow(qPrintable(QString::fromStdString(s.name) + QLatin1String(presentation ? "/presentation" : "/normal")))
                << QString::fromStdString(s.name) << presentation;
}

void TestProjector::everyLessonFits()
{
    QFETCH(QString, name);
    QFETCH(bool, presentation);
    const QScreen *screen = QGuiApplication::primaryScreen();
    MainWindow w({.useSettings = false});
    w.setPresentationMode(presentation);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.chooseScenario(name));
    w.action(QStringLiteral("start"))->trigger();
    QVERIFY2(w.controller().status() == RunController::Status::Running ||
                 w.controller().status() == RunController::Status::Finished,
             qPrintable(name));
    // Running, with its charts: a few samples after the first processes.
    QTRY_VERIFY_WITH_TIMEOUT(w.controller().sampler().history().size() >= 8 && !w.charts()->views().isEmpty(), 5000);
    // The philosophers are judged with their deadlock named under the
    // picture (the banner takes a strip of the diagram's height).
    if (name == QStringLiteral("philosophers"))
        QTRY_VERIFY_WITH_TIMEOUT(!w.diagram()->deadlockText().isEmpty(), 20000);
    QTest::qWait(100); // layouts settle

    // The window on the screen, whole.
    QVERIFY2(screen->availableGeometry().contains(w.frameGeometry()),
             qPrintable(QStringLiteral("window %1x%2 on a %3x%4 screen")
                            .arg(w.frameGeometry().width()).arg(w.frameGeometry().height())
                            .arg(screen->availableGeometry().width()).arg(screen->availableGeometry().height())));

    // The run's controls without scrolling; every parameter once scrolled to.
    auto *scroll = qobject_cast<QScrollArea *>(w.controls()->parentWidget()->parentWidget());
    QVERIFY(scroll);
    scroll->ensureVisible(0, 0);
    for (const char *a : {"start", "stop", "kill"}) {
        QToolButton *b = buttonFor(w.controls(), w.action(QString::fromLatin1(a)));
        QVERIFY2(b, a);
        // (Waited for: on a loaded machine the panel's layout request for a
        // button that just changed its text can still be queued here.)
        QTRY_VERIFY2_WITH_TIMEOUT(clipped(b).isEmpty(),
                                  qPrintable(QStringLiteral("%1: %2").arg(QString::fromLatin1(a), clipped(b))), 3000);
    }
    for (const ParamSpec &p : w.controller().scenario()->lesson().params) {
        QWidget *c = w.controls()->parameterWidget(QString::fromStdString(p.key));
        QVERIFY2(c, p.key.c_str());
        // (ensureWidgetVisible would show a spin box's text cursor only)
        const QPoint at = c->mapTo(scroll->widget(), QPoint(0, 0));
        scroll->ensureVisible(at.x() + c->width() / 2, at.y() + c->height() / 2, c->width() / 2 + 2,
                              c->height() / 2 + 2);
        const QString problem = clipped(c);
        QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("parameter %1: %2").arg(QString::fromStdString(p.key), problem)));
    }

    // Every chart on screen legible.
    int shown = 0;
    for (ChartView *v : w.charts()->views()) {
        if (!v->isVisible()) continue;
        ++shown;
        // (Waited for, as the buttons: on a loaded machine a chart's
        // layout can still be pending here.)
        QTRY_VERIFY2_WITH_TIMEOUT(chartProblem(v).isEmpty(), qPrintable(chartProblem(v)), 3000);
    }
    QVERIFY(shown > 0);
    if (w.charts()->isTabbed()) QCOMPARE(w.charts()->tabBar()->count(), w.charts()->views().size());

    // The back row reads the diagram.
    // (Once its layout has settled: a picture that grows as the run's first
    // samples arrive is fitted again when it is arranged anew.)
    if (presentation) {
        QTRY_VERIFY_WITH_TIMEOUT(w.diagram()->smallestTextPixels() >= 12, 3000);
        const qreal px = w.diagram()->smallestTextPixels();
        QVERIFY2(px >= 12, qPrintable(QStringLiteral("smallest diagram text %1 px").arg(px, 0, 'f', 1)));
    }

    // One chart enlarged fills the middle; Esc brings everything back.
    ChartView *main = w.charts()->views().front();
    const QWidget *middle = w.findChild<QSplitter *>(QStringLiteral("center"));
    QVERIFY(middle);
    w.enlarge(main, false);
    QTest::qWait(50);
    QVERIFY(w.isEnlarged());
    QVERIFY(!w.diagramPane()->isVisible());
    QVERIFY2(main->width() * main->height() >= middle->width() * middle->height() * 8 / 10,
             qPrintable(QStringLiteral("enlarged %1x%2 in %3x%4").arg(main->width()).arg(main->height())
                            .arg(middle->width()).arg(middle->height())));
    QVERIFY(chartProblem(main).isEmpty());
    w.action(QStringLiteral("restore-panes"))->trigger();
    QTest::qWait(50);
    QVERIFY(!w.isEnlarged());
    QVERIFY(w.diagramPane()->isVisible());
    QVERIFY(main->isVisible()); // the first chart: beside the others, or the tab shown

    w.action(QStringLiteral("stop"))->trigger();
    QVERIFY(!w.controller().active());
}

QTEST_MAIN(TestProjector)
#include "tst_projector.moc"

