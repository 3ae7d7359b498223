package io.llmft.trainer.service;

import io.llmft.core.train.EvaluationPoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    XYSeries train = new XYSeries("Training loss");
    XYSeries validation = new XYSeries("Validation loss");
    int n = points.size();
    for (int i = 0; i < n; i++) {
      double epochsSeen = n == 1 ? 0 : (double) epochs * i / (n - 1);
      train.add(epochsSeen, points.get(i).trainLoss());
      validation.add(epochsSeen, points.get(i).valLoss());
    }
    XYSeriesCollection losses = new XYSeriesCollection();
    losses.addSeries(train);
    losses.addSeries(validation);

    NumberAxis epochsAxis = new NumberAxis("Epochs");
    epochsAxis.setRange(0, Math.max(epochs, 1));
    epochsAxis.setAutoRangeIncludesZero(true);
    NumberAxis lossAxis = new NumberAxis("Loss");
    lossAxis.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, n < 40);
    lines.setSeriesPaint(0, new Color(0x1f77b4));
    lines.setSeriesPaint(1, new Color(0xff7f0e));
    lines.setSeriesStroke(0, new BasicStroke(2f));
    lines.setSeriesStroke(
        1,
        new BasicStroke(
            2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
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
    XYSeries train = new XYSeries("Training reward margin");
    XYSeries validation = new XYSeries("Validation reward margin");
    int n = points.size();
    for (int i = 0; i < n; i++) {
      double epochsSeen = n == 1 ? 0 : (double) epochs * i / (n - 1);
      EvaluationPoint p = points.get(i);
      train.add(epochsSeen, p.trainChosenReward() - p.trainRejectedReward());
      validation.add(epochsSeen, p.valChosenReward() - p.valRejectedReward());
    }
    XYSeriesCollection margins = new XYSeriesCollection();
    margins.addSeries(train);
    margins.addSeries(validation);
    NumberAxis marginAxis = new NumberAxis("Reward margin (chosen - rejected)");
    marginAxis.setAutoRangeIncludesZero(true);
    XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, n < 40);
    lines.setSeriesPaint(0, new Color(0x2ca02c));
    lines.setSeriesPaint(1, new Color(0xd62728));
    lines.setSeriesStroke(0, new BasicStroke(1.5f));
    lines.setSeriesStroke(
        1,
        new BasicStroke(
            1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 3f}, 0f));
    plot.setDataset(1, margins);
    plot.setRangeAxis(1, marginAxis);
    plot.setRangeAxisLocation(1, AxisLocation.BOTTOM_OR_RIGHT);
    plot.mapDatasetToRangeAxis(1, 1);
    plot.setRenderer(1, lines);
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
