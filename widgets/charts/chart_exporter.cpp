#include "chart_exporter.h"

#include "chart_factory.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QGuiApplication>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QScreen>
#include <QSvgGenerator>

#include <cmath>

namespace ipc {

namespace {

// A chart of `kind` in its own scene, laid out at the logical size.
class OffscreenChart {
public:
    OffscreenChart(ChartKind kind, const History &history, const ChartContext &context,
                   const ExportOptions &options)
        : m_size(options.logicalSize)
    {
        auto chart = makeChart(kind, context);
        m_chart = chart.get();
        m_scene.addItem(chart.release()); // the scene owns it
        m_chart->setExportMode(true); // every sample, as vectors: the cost is paid once
        m_chart->applyStyle(options.style);
        m_chart->setGeometry(QRectF(QPointF(0, 0), QSizeF(m_size)));
        m_chart->refresh(history);
        settle();
        // Labels and the timeline's row labels depend on the final plot area.
        m_chart->refresh(history);
        settle();
        m_scene.setSceneRect(QRectF(QPointF(0, 0), QSizeF(m_size)));
    }

    [[nodiscard]] QSize size() const { return m_size; }

    void render(QPainter &painter, const QRectF &target)
    {
        m_scene.render(&painter, target, QRectF(QPointF(0, 0), QSizeF(m_size)),
                       Qt::IgnoreAspectRatio);
    }

private:
    static void settle()
    {
        // Qt Charts lays out on posted LayoutRequest events.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QCoreApplication::sendPostedEvents();
    }

    QGraphicsScene m_scene;
    LiveChart *m_chart = nullptr;
    QSize m_size;
};

qreal screenDpi()
{
    if (const QScreen *screen = QGuiApplication::primaryScreen()) return screen->logicalDotsPerInchX();
    return 96;
}

Result<void> writePng(const PaintFunction &paint, const QString &path, const ExportOptions &options)
{
    const QSize pixels = options.pixelSize();
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    image.fill(options.style.background);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::TextAntialiasing);
        paint(painter, QRectF(QPointF(0, 0), QSizeF(pixels)));
    }
    if (!image.save(path, "PNG"))
        return fail(Errc::System, "cannot write PNG '" + path.toStdString() + "'");
    return {};
}

Result<void> writeSvg(const PaintFunction &paint, const QString &path, QSize size, const QString &title)
{
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    // The chart was laid out with the screen's font metrics: the default
    // 72 dpi would shrink every text relative to the lines.
    svg.setResolution(int(std::lround(screenDpi())));
    svg.setTitle(title);
    svg.setDescription(QStringLiteral("ipc-playground chart"));
    QPainter painter;
    if (!painter.begin(&svg))
        return fail(Errc::System, "cannot write SVG '" + path.toStdString() + "'");
    painter.setRenderHint(QPainter::Antialiasing);
    paint(painter, QRectF(QPointF(0, 0), QSizeF(size)));
    painter.end();
    if (!QFileInfo(path).size())
        return fail(Errc::System, "cannot write SVG '" + path.toStdString() + "'");
    return {};
}

Result<void> writePdf(const PaintFunction &paint, const QString &path, QSize size, const QString &title)
{
    QPdfWriter pdf(path);
    const qreal dpi = screenDpi();
    // One page the size of the chart; at the screen's dpi a chart pixel is
    // a device pixel, so text and lines keep their proportions.
    pdf.setResolution(int(std::lround(dpi)));
    const QSizeF points(size.width() * 72.0 / dpi, size.height() * 72.0 / dpi);
    pdf.setPageSize(QPageSize(points, QPageSize::Point, QString(), QPageSize::ExactMatch));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setTitle(title);
    pdf.setCreator(QStringLiteral("ipc-playground"));
    QPainter painter;
    if (!painter.begin(&pdf))
        return fail(Errc::System, "cannot write PDF '" + path.toStdString() + "'");
    painter.setRenderHint(QPainter::Antialiasing);
    paint(painter, QRectF(painter.viewport()));
    if (!painter.end()) return fail(Errc::System, "cannot write PDF '" + path.toStdString() + "'");
    return {};
}

Result<void> writeCsv(ChartKind kind, const History &history, const ChartContext &context,
                      const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return fail(Errc::System, "cannot write CSV '" + path.toStdString() + "': " +
                                      file.errorString().toStdString());
    {
        auto chart = makeChart(kind, context);
        QTextStream out(&file);
        chart->writeCsv(out, history);
    }
    if (!file.commit())
        return fail(Errc::System, "cannot write CSV '" + path.toStdString() + "': " +
                                      file.errorString().toStdString());
    return {};
}

} // namespace

ExportOptions ExportOptions::forPixels(QSize pixels, const ChartStyle &style)
{
    ExportOptions o;
    o.style = style;
    o.pixels = QSize(std::max(pixels.width(), 16), std::max(pixels.height(), 16));
    o.scale = std::clamp(qreal(o.pixels.width()) / kSlideSize.width(), 0.25, 8.0);
    o.logicalSize = QSize(int(std::lround(o.pixels.width() / o.scale)),
                          int(std::lround(o.pixels.height() / o.scale)));
    return o;
}

QSize ExportOptions::pixelSize() const
{
    if (pixels.isValid() && !pixels.isEmpty()) return pixels;
    return QSize(int(std::lround(logicalSize.width() * scale)),
                 int(std::lround(logicalSize.height() * scale)));
}

QString formatExtension(ExportFormat format)
{
    switch (format) {
    case ExportFormat::Png: return QStringLiteral("png");
    case ExportFormat::Svg: return QStringLiteral("svg");
    case ExportFormat::Pdf: return QStringLiteral("pdf");
    case ExportFormat::Csv: return QStringLiteral("csv");
    }
    return {};
}

Result<std::vector<ExportFormat>> parseFormats(const QString &list)
{
    std::vector<ExportFormat> out;
    const QStringList words = list.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (words.isEmpty())
        return fail(Errc::InvalidArgument, "--format needs a list such as png,svg,pdf,csv");
    for (const QString &raw : words) {
        const QString w = raw.trimmed().toLower();
        ExportFormat f;
        if (w == QLatin1String("png")) f = ExportFormat::Png;
        else if (w == QLatin1String("svg")) f = ExportFormat::Svg;
        else if (w == QLatin1String("pdf")) f = ExportFormat::Pdf;
        else if (w == QLatin1String("csv")) f = ExportFormat::Csv;
        else
            return fail(Errc::InvalidArgument, "unknown export format '" + raw.toStdString() +
                                                   "' (choose from png, svg, pdf, csv)");
        if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    }
    return out;
}

QString chartFileStem(ChartKind kind, const ChartContext &context)
{
    const QString name = context.scenarioName.isEmpty() ? QStringLiteral("run") : context.scenarioName;
    return name + QLatin1Char('-') + chartKindName(kind);
}

QImage renderChartImage(ChartKind kind, const History &history, const ChartContext &context,
                        const ExportOptions &options)
{
    OffscreenChart chart(kind, history, context, options);
    QImage image(options.pixelSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(options.style.background);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    chart.render(painter, QRectF(QPointF(0, 0), QSizeF(image.size())));
    return image;
}

Result<void> exportChart(ChartKind kind, const History &history, const ChartContext &context,
                         ExportFormat format, const QString &path, const ExportOptions &options)
{
    if (options.logicalSize.width() < 16 || options.logicalSize.height() < 16 || !(options.scale > 0))
        return fail(Errc::InvalidArgument, "export size too small");
    if (format == ExportFormat::Csv) return writeCsv(kind, history, context, path);
    OffscreenChart chart(kind, history, context, options);
    return exportPainting([&](QPainter &painter, const QRectF &target) { chart.render(painter, target); },
                          format, path, options, context.scenarioTitle);
}

Result<void> exportPainting(const PaintFunction &paint, ExportFormat format, const QString &path,
                            const ExportOptions &options, const QString &title)
{
    if (options.logicalSize.width() < 16 || options.logicalSize.height() < 16 || !(options.scale > 0))
        return fail(Errc::InvalidArgument, "export size too small");
    switch (format) {
    case ExportFormat::Png: return writePng(paint, path, options);
    case ExportFormat::Svg: return writeSvg(paint, path, options.logicalSize, title);
    case ExportFormat::Pdf: return writePdf(paint, path, options.logicalSize, title);
    case ExportFormat::Csv: break;
    }
    return fail(Errc::InvalidArgument, "a picture has no CSV: its data is written by its own view");
}

Result<QStringList> exportAllCharts(const History &history, const ChartContext &context,
                                    const std::vector<ExportFormat> &formats,
                                    const QString &directory, const ExportOptions &options)
{
    if (!QDir().mkpath(directory))
        return fail(Errc::System, "cannot create export folder '" + directory.toStdString() + "'");
    QStringList written;
    const std::vector<ChartKind> kinds = chartKindsFor(history);
    if (kinds.empty()) return fail(Errc::InvalidArgument, "nothing to export: the run has no data yet");
    for (ChartKind kind : kinds) {
        for (ExportFormat format : formats) {
            const QString path = QDir(directory).filePath(chartFileStem(kind, context) +
                                                          QLatin1Char('.') + formatExtension(format));
            if (auto r = exportChart(kind, history, context, format, path, options); !r)
                return std::unexpected(r.error());
            written << path;
        }
    }
    return written;
}

} // namespace ipc
