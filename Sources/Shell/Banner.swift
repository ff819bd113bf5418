/// The greeting at an interactive prompt, wrapped to the terminal.
public enum Banner {
    public static func lines(version: String, columns: Int?) -> [String] {
        TextWrapping.wrap("gq \(version): quantize GRUs for microcontrollers. 'help' lists commands; Ctrl-D leaves.",
                          width: columns.map { $0 - 1 })
    }
}
