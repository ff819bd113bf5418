import Plotting

/// Fixed plots of the kinds gq draws.
enum Fixtures {
    /// `plot front`: a mixed-precision front, the homogeneous 2..8-bit points, the current configuration.
    static var front: Plot {
        let front: [(x: Double, y: Double)] = [(2_150, 61.2), (2_480, 78.5), (2_910, 86.0), (3_400, 90.4), (4_120, 92.1), (5_030, 93.0)]
        let accuracy: [Double] = [38.5, 70.1, 84.3, 89.9, 91.8, 92.6, 93.1]
        var homogeneous: [Point] = []
        for (i, bits) in (2 ... 8).enumerated() { homogeneous.append(Point(x: 1_200 + 760 * Double(bits), y: accuracy[i])) }
        return Plot(
            title: "Pareto front: digits, validation",
            xLabel: "model size (bytes)",
            yLabel: "validation accuracy (%)",
            series: [
                Series(name: "mixed precision (front)", points: front, style: .stepLinePoints(.dot), color: .blue),
                Series(name: "homogeneous 2..8 bits", points: homogeneous, style: .points(.cross), color: .orange),
                Series(name: "current", points: [(x: 3_400, y: 89.0)], style: .points(.diamond), color: .red),
            ])
    }

    /// `plot hv`: hypervolume per generation.
    static var hypervolume: Plot {
        let values: [Double] = [0.412, 0.498, 0.551, 0.587, 0.603, 0.622, 0.631, 0.640, 0.644, 0.651, 0.652, 0.655]
        var points: [Point] = []
        for (generation, value) in values.enumerated() { points.append(Point(x: Double(generation), y: value)) }
        let series = Series(name: "hypervolume", points: points, style: .linePoints(.dot), color: .green)
        return Plot(title: "Hypervolume per generation", xLabel: "generation", yLabel: "hypervolume (normalised)",
                    series: [series])
    }

    /// `plot sweep`: accuracy against bits, with a plain line and a fixed y range.
    static var sweep: Plot {
        var single: [Point] = [], all: [Point] = []
        for bits in 2 ... 8 {
            let b = Double(bits)
            single.append(Point(x: b, y: 100 - 60 / (b * b)))
            all.append(Point(x: b, y: 100 - 240 / (b * b)))
        }
        return Plot(title: "Sweep <gate.z> & friends", xLabel: "bits", yLabel: "validation accuracy (%)",
                    series: [
                        Series(name: "gate.z", points: single, style: .line, color: .purple),
                        Series(name: "all", points: all, style: .linePoints(.triangle), color: .cyan),
                    ],
                    yRange: 0 ... 100)
    }
}
