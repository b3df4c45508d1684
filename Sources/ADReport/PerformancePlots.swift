// The benchmark's plots, built from the results and drawn by SVGPlot.
import ADBench
import Foundation

extension PerformanceReport {
    /// Every plot the results have data for, with its file name.
    static func plots(_ r: BenchReport) -> [(file: String, plot: Plot)] {
        var plots: [(String, Plot)] = []
        if let f = r.family("sum-sin-exp") {
            plots.append((ratioPlot, ratioPlot(f, title: "Gradient time over function time, sum-sin-exp", x: "n (inputs)")))
        }
        if let f = r.family("chain") {
            plots.append((chainPlot, ratioPlot(f, title: "Derivative time over function time, chain of d functions", x: "d (nested functions)")))
        }
        if let m = r.family("jacobian-m") {
            var series: [Series] = []
            for (family, axis) in [(m, "m"), (r.family("jacobian-n"), "n")] {
                guard let family else { continue }
                for method in [MethodID.jacobianForward, .jacobianReverse] {
                    series.append(Series(
                        name: "\(method == .jacobianForward ? "forward" : "reverse"), \(axis) varies (\(axis == "m" ? "n" : "m") = 100)",
                        points: points(family, method), dashed: axis == "n"))
                }
            }
            plots.append((crossoverPlot, Plot(
                title: "Full Jacobian of R^n -> R^m: forward against reverse mode",
                xLabel: "m (outputs, solid) or n (inputs, dashed); the other is 100", yLabel: "Jacobian time / primal time",
                series: series, guides: [Guide(axis: .vertical, value: 100, label: "n = m")])))
        }
        if let c = r.errorCurve {
            let names = ["forward", "central", "5-point", "complex step"]
            plots.append((errorPlot, Plot(
                title: "Error of difference formulas against the step, f'(2) of Peharz's f",
                xLabel: "step h", yLabel: "|estimate − f'(2)|",
                series: names.map { name in
                    Series(name: name, points: zip(c.steps, c.errors[name] ?? []).compactMap { h, e in e.map { PlotPoint(x: h, y: Swift.max($0, 1e-17)) } },
                           dashed: name == "complex step")
                },
                guides: [Guide(axis: .horizontal, value: Double.ulpOfOne * abs(c.exact), label: "ε |f'|")])))
        }
        if !r.network.isEmpty {
            var series: [Series] = []
            let threads = Array(Set(r.network.map(\.threads))).sorted()
            for t in threads {
                let rows = r.network.filter { $0.threads == t }.sorted { $0.batch < $1.batch }
                let suffix = threads.count > 1 ? ", \(t) thread\(t == 1 ? "" : "s")" : ""
                series.append(Series(name: "loss" + suffix, points: rows.map { PlotPoint(x: Double($0.batch), y: $0.lossSeconds * 1e6) }, dashed: t > 1))
                series.append(Series(name: "loss + gradient" + suffix, points: rows.map { PlotPoint(x: Double($0.batch), y: $0.lossAndGradientSeconds * 1e6) }, dashed: t > 1))
                series.append(Series(name: "GEMMs alone" + suffix, points: rows.map { PlotPoint(x: Double($0.batch), y: $0.gemmSeconds * 1e6) }, dashed: t > 1))
            }
            plots.append((networkPlot, Plot(
                title: "784-72-10 perceptron: time per batch", xLabel: "batch size", yLabel: "time per batch (µs)", series: series)))
        }
        return plots
    }

    /// Ratio against size for every method of a family except the primal.
    static func ratioPlot(_ f: FamilyResult, title: String, x: String) -> Plot {
        let methods = Array(Set(f.measurements.filter { $0.label == nil }.map(\.method))).sorted()
        return Plot(
            title: title, xLabel: x, yLabel: "time / adverify primal time",
            series: methods.filter { $0 != .primal }.map { m in
                Series(name: m.shortName + (m.isPeer ? " (peer)" : ""), points: points(f, m), dashed: m.isPeer)
            },
            guides: [Guide(axis: .horizontal, value: 2.5, label: "2.5")])
    }

    static func points(_ f: FamilyResult, _ method: MethodID) -> [PlotPoint] {
        f.measurements.filter { $0.method == method && $0.label == nil }.sorted { $0.size < $1.size }.map {
            PlotPoint(x: Double($0.size), y: $0.ratio.median, low: $0.ratio.min, high: $0.ratio.max)
        }
    }
}
