package io.llmft.trainer.service;

import io.llmft.training.EvaluationPoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The book's {@code plot_losses}: training and validation loss at the evaluation points against
 * epochs seen ({@code torch.linspace(0, num_epochs, len(train_losses))}), with a second x-axis on
 * top for the tokens seen, drawn by JFreeChart as SVG (JFreeSVG) or PNG. A preference job's
 * evaluations add the DPO notebook's reward margins (chosen minus rejected reward) of both splits
 * on a second axis at the right.
 */
public final class LossPlot {
  public static final int WIDTH = 720;
  public static final int HEIGHT = 420;

  private LossPlot() {}

  public static JFreeChart chart(String title, List<EvaluationPoint> points, int epochs) {
    XYSeriesCollection losses =
        pair(
            points,
            epochs,
            "Training loss",
            EvaluationPoint::trainLoss,
            "Validation loss",
            EvaluationPoint::valLoss);
    int n = points.size();

    NumberAxis epochsAxis = new NumberAxis("Epochs");
    epochsAxis.setRange(0, Math.max(epochs, 1));
    epochsAxis.setAutoRangeIncludesZero(true);
    NumberAxis lossAxis = new NumberAxis("Loss");
    lossAxis.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer lines = lines(n, 0x1f77b4, 0xff7f0e, 2f, new float[] {6f, 4f});
    XYPlot plot = new XYPlot(losses, epochsAxis, lossAxis, lines);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));

    // the book's ax2 = ax1.twiny(): the same points against the tokens seen, on top
    NumberAxis tokensAxis = new NumberAxis("Tokens seen");
    if (n > 0) {
      long first = points.get(0).tokensSeen();
      long last = points.get(n - 1).tokensSeen();
      tokensAxis.setRange(first, Math.max(last, first + 1));
    }
    plot.setDomainAxis(1, tokensAxis);
    plot.setDomainAxisLocation(1, AxisLocation.TOP_OR_LEFT);

    if (n > 0 && points.get(0).trainChosenReward() != null) {
      addRewardMargins(plot, points, epochs);
    }

    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  private static void addRewardMargins(XYPlot plot, List<EvaluationPoint> points, int epochs) {
    XYSeriesCollection margins =
        pair(
            points,
            epochs,
            "Training reward margin",
            p -> p.trainChosenReward() - p.trainRejectedReward(),
            "Validation reward margin",
            p -> p.valChosenReward() - p.valRejectedReward());
    NumberAxis marginAxis = new NumberAxis("Reward margin (chosen - rejected)");
    marginAxis.setAutoRangeIncludesZero(true);
    plot.setDataset(1, margins);
    plot.setRangeAxis(1, marginAxis);
    plot.setRangeAxisLocation(1, AxisLocation.BOTTOM_OR_RIGHT);
    plot.mapDatasetToRangeAxis(1, 1);
    plot.setRenderer(1, lines(points.size(), 0x2ca02c, 0xd62728, 1.5f, new float[] {2f, 3f}));
  }

  /**
   * A training and a validation series at the evaluation points, against epochs seen ({@code
   * torch.linspace(0, num_epochs, len(train_losses))}).
   */
  private static XYSeriesCollection pair(
      List<EvaluationPoint> points,
      int epochs,
      String trainName,
      ToDoubleFunction<EvaluationPoint> train,
      String validationName,
      ToDoubleFunction<EvaluationPoint> validation) {
    XYSeries first = new XYSeries(trainName);
    XYSeries second = new XYSeries(validationName);
    int n = points.size();
    for (int i = 0; i < n; i++) {
      double epochsSeen = n == 1 ? 0 : (double) epochs * i / (n - 1);
      first.add(epochsSeen, train.applyAsDouble(points.get(i)));
      second.add(epochsSeen, validation.applyAsDouble(points.get(i)));
    }
    XYSeriesCollection both = new XYSeriesCollection();
    both.addSeries(first);
    both.addSeries(second);
    return both;
  }

  /** Solid training and dashed validation lines, with markers while there are few points. */
  private static XYLineAndShapeRenderer lines(
      int points, int trainColor, int validationColor, float width, float[] dash) {
    XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, points < 40);
    lines.setSeriesPaint(0, new Color(trainColor));
    lines.setSeriesPaint(1, new Color(validationColor));
    lines.setSeriesStroke(0, new BasicStroke(width));
    lines.setSeriesStroke(
        1, new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
    return lines;
  }

  public static byte[] svg(JFreeChart chart) {
    SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
    chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
    return g.getSVGDocument().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] png(JFreeChart chart) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
