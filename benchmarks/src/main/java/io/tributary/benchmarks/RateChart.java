package io.tributary.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An SVG line chart of records/s over time, one line per run, drawn from {@link
 * ThroughputSampler#series()} (rates over one-second steps). Plain SVG, no library: it renders on
 * GitHub and in any browser.
 */
final class RateChart {
    private static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
    };
    private static final int WIDTH = 900;
    private static final int HEIGHT = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 220;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private final String title;
    private final Map<String, List<double[]>> lines = new LinkedHashMap<>();

    RateChart(String title) {
        this.title = title;
    }

    /** Adds a run: its progress samples become records/s per second. */
    RateChart add(String name, List<double[]> progress) {
        lines.put(name, rates(progress));
        return this;
    }

    static List<double[]> rates(List<double[]> progress) {
        List<double[]> rates = new ArrayList<>();
        int from = 0;
        for (int i = 1; i < progress.size(); i++) {
            double[] a = progress.get(from);
            double[] b = progress.get(i);
            if (b[0] - a[0] >= 1.0 || i == progress.size() - 1) {
                rates.add(new double[] {b[0], (b[1] - a[1]) / (b[0] - a[0])});
                from = i;
            }
        }
        return rates;
    }

    String svg() {
        double maxT = 1;
        double maxR = 1;
        for (List<double[]> line : lines.values()) {
            for (double[] p : line) {
                maxT = Math.max(maxT, p[0]);
                maxR = Math.max(maxR, p[1]);
            }
        }
        maxR = niceCeiling(maxR);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                        WIDTH,
                        HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n",
                        LEFT,
                        escape(title)));
        for (int i = 0; i <= 5; i++) {
            double r = maxR * i / 5;
            double y = TOP + plotH - plotH * i / 5;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%,.0f</text>%n",
                            LEFT,
                            y,
                            LEFT + plotW,
                            y,
                            LEFT - 6,
                            y + 4,
                            r));
        }
        double stepT = niceCeiling(maxT / 8);
        for (double t = 0; t <= maxT; t += stepT) {
            double x = LEFT + plotW * t / maxT;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f s</text>%n",
                            x,
                            TOP,
                            x,
                            TOP + plotH,
                            x,
                            TOP + plotH + 18,
                            t));
        }
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" transform=\"rotate(-90 16 %d)\">records/s</text>%n",
                        16,
                        TOP + (int) plotH / 2,
                        TOP + (int) plotH / 2));
        int index = 0;
        for (Map.Entry<String, List<double[]>> line : lines.entrySet()) {
            String colour = COLOURS[index % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (double[] p : line.getValue()) {
                points.append(
                        String.format(
                                Locale.ROOT,
                                "%.1f,%.1f ",
                                LEFT + plotW * p[0] / maxT,
                                TOP + plotH - plotH * Math.min(p[1], maxR) / maxR));
            }
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n",
                            colour,
                            points.toString().trim()));
            double y = TOP + 14 + 18 * index;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n",
                            LEFT + plotW + 12,
                            y - 4,
                            LEFT + plotW + 32,
                            y - 4,
                            colour,
                            LEFT + plotW + 38,
                            y,
                            escape(line.getKey())));
            index++;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
