package io.stemedb.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The report's PNG charts (XChart): one bar chart of median throughput per system for each
 * workload, on a logarithmic axis because the systems differ by orders of magnitude, and one line
 * chart of W5's ingest throughput over the course of the ingest. Stateless and thread-safe.
 */
final class CompareCharts {
    /** Chart file name, figure key, title, axis title; in report order. */
    static final List<String[]> THROUGHPUT = List.of(
            new String[] {"compare-w1-ingest", "W1.claimsPerSec", "W1 batched ingest (1,000 claims per batch)", "claims/s"},
            new String[] {"compare-w1-cold", "W1cold.claimsPerSec", "W1 cold: a fresh process's first ingest", "claims/s"},
            new String[] {"compare-w2-current", "W2.opsPerSec", "W2 current-value point reads", "reads/s"},
            new String[] {"compare-w2z-current-zipfian", "W2z.opsPerSec", "W2z current-value reads, Zipfian popularity", "reads/s"},
            new String[] {"compare-w3-history", "W3.opsPerSec", "W3 history of a (subject, predicate)", "reads/s"},
            new String[] {"compare-w4-trust", "W4.trust.opsPerSec", "W4 conflicts resolved by trust ranking", "reads/s"},
            new String[] {"compare-w4-majority", "W4.majority.opsPerSec", "W4 conflicts resolved by majority", "reads/s"},
            new String[] {"compare-w2-cold", "W2cold.opsPerSec", "W2 cold: the first reads after a close and reopen", "reads/s"},
            new String[] {"compare-w2-mt", "W2mt.opsPerSec", "W2-mt: current-value reads on several threads at once", "reads/s"},
            new String[] {"compare-w5-ingest", "W5.claimsPerSec", "W5 ingest at scale (each system's n in the report)", "claims/s"},
            new String[] {"compare-w5-w2", "W5.W2.opsPerSec", "W2 on W5's database (each system's n in the report)", "reads/s"});
    static final String OVER_TIME = "compare-w5-over-time";

    private CompareCharts() {}

    /** Writes every chart into {@code dir}; returns the files written. */
    @SuppressWarnings("unchecked")
    static List<Path> write(Map<String, Object> summary, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        Map<String, Object> systems = (Map<String, Object>) summary.get("systems");
        List<Path> files = new ArrayList<>();
        for (String[] c : THROUGHPUT) {
            List<String> names = new ArrayList<>();
            List<Double> medians = new ArrayList<>();
            for (Map.Entry<String, Object> e : systems.entrySet()) {
                Double m = CompareReport.median((Map<String, Object>) e.getValue(), c[1]);
                if (m != null && m > 0) {
                    names.add(e.getKey());
                    medians.add(m);
                }
            }
            if (names.isEmpty()) {
                continue;
            }
            CategoryChart chart = new CategoryChartBuilder().width(900).height(480).title(c[2] + ": median " + c[3])
                    .xAxisTitle("system").yAxisTitle(c[3] + " (log scale)").build();
            chart.getStyler().setYAxisLogarithmic(true);
            // Bars start at the axis minimum, which must be positive on a log axis: the decade below the smallest bar.
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(medians.stream().min(Double::compare).orElseThrow()))));
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setYAxisDecimalPattern("#,##0");
            chart.getStyler().setLabelsVisible(true);
            chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
            chart.addSeries("median", names, medians);
            files.add(save(chart, dir.resolve(c[0])));
        }
        XYChart time = new XYChartBuilder().width(900).height(480).title("W5 ingest throughput over the ingest (claims/s in each 10% of n)")
                .xAxisTitle("claims ingested").yAxisTitle("claims/s (log scale)").build();
        time.getStyler().setYAxisLogarithmic(true);
        time.getStyler().setYAxisDecimalPattern("#,##0");
        time.getStyler().setXAxisDecimalPattern("#,##0");
        time.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        time.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        boolean any = false;
        for (Map.Entry<String, Object> e : systems.entrySet()) {
            List<Map<String, Object>> w5 = (List<Map<String, Object>>) ((Map<String, Object>) e.getValue()).get("w5Runs");
            if (w5 == null || w5.isEmpty()) {
                continue;
            }
            List<Map<String, Object>> samples = (List<Map<String, Object>>) w5.get(0).get("samples");
            double[] x = new double[samples.size()];
            double[] y = new double[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                x[i] = ((Number) samples.get(i).get("claims")).doubleValue();
                y[i] = ((Number) samples.get(i).get("windowClaimsPerSec")).doubleValue();
            }
            time.addSeries(e.getKey() + " (n = " + String.format("%,d", (long) x[x.length - 1]) + ")", x, y);
            any = true;
        }
        if (any) {
            files.add(save(time, dir.resolve(OVER_TIME)));
        }
        return files;
    }

    private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path withoutExtension) throws IOException {
        BitmapEncoder.saveBitmap(chart, withoutExtension.toString(), BitmapEncoder.BitmapFormat.PNG);
        return withoutExtension.resolveSibling(withoutExtension.getFileName() + ".png");
    }
}
