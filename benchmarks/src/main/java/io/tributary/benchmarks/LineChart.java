package io.tributary.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An SVG line chart, one line per series, with a linear or a logarithmic x axis. Plain SVG, no
 * library: it renders on GitHub and in any browser.
 */
final class LineChart {
    private static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
    };
    private static final int WIDTH = 900;
    private static final int HEIGHT = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 260;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    /** How the x axis is scaled and labelled. */
    enum XAxis {
        /** Seconds from 0. */
        SECONDS,
        /** Milliseconds on a log scale, 1 ms and up. */
        LOG_MILLIS
    }

    private final String title;
    private final XAxis xAxis;
    private final String yLabel;
    private final Map<String, List<double[]>> lines = new LinkedHashMap<>();

    LineChart(String title, XAxis xAxis, String yLabel) {
        this.title = title;
        this.xAxis = xAxis;
        this.yLabel = yLabel;
    }

    /** Adds a series of (x, y) points. */
    LineChart line(String name, List<double[]> points) {
        lines.put(name, points);
        return this;
    }

    private double x(double value, double maxX, double plotW) {
        return switch (xAxis) {
            case SECONDS -> LEFT + plotW * value / maxX;
            case LOG_MILLIS ->
                    LEFT + plotW * Math.log10(Math.max(1, value)) / Math.log10(Math.max(10, maxX));
        };
    }

    private static String millis(double ms) {
        return ms >= 1000
                ? String.format(Locale.ROOT, "%.0f s", ms / 1000)
                : String.format(Locale.ROOT, "%.0f ms", ms);
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
        if (xAxis == XAxis.LOG_MILLIS) {
            maxT = Math.pow(10, Math.ceil(Math.log10(Math.max(10, maxT))));
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
        java.util.List<Double> ticks = new java.util.ArrayList<>();
        if (xAxis == XAxis.SECONDS) {
            double stepT = niceCeiling(maxT / 8);
            for (double t = 0; t <= maxT; t += stepT) {
                ticks.add(t);
            }
        } else {
            for (double t = 1; t <= maxT; t *= 10) {
                ticks.add(t);
            }
        }
        for (double t : ticks) {
            double x = x(t, maxT, plotW);
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                            x,
                            TOP,
                            x,
                            TOP + plotH,
                            x,
                            TOP + plotH + 18,
                            xAxis == XAxis.SECONDS
                                    ? String.format(Locale.ROOT, "%.0f s", t)
                                    : millis(t)));
        }
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" transform=\"rotate(-90 16 %d)\">%s</text>%n",
                        16,
                        TOP + (int) plotH / 2,
                        TOP + (int) plotH / 2,
                        escape(yLabel)));
        int index = 0;
        for (Map.Entry<String, List<double[]>> line : lines.entrySet()) {
            String colour = COLOURS[index % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (double[] p : line.getValue()) {
                points.append(
                        String.format(
                                Locale.ROOT,
                                "%.1f,%.1f ",
                                x(p[0], maxT, plotW),
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
