import Foundation

/// The commands every gq session starts with, in the order `help` lists them.
public enum StandardCommands {
    public static var all: [Command] {
        [HelpCommand.command]
            + TaskCommands.commands
            + TrainCommand.commands
            + EvalCommand.commands
            + ModelFileCommands.commands
            + DataExportCommands.commands
            + QuantCommands.commands
            + QuantAnalysisCommands.commands
            + EvolveCommand.commands
            + FrontCommands.commands
            + PlotCommands.commands
            + ScriptingCommands.commands
            + BenchCommand.commands
    }
}

/// Percent with one decimal, the way accuracies are shown everywhere.
func percent(_ fraction: Double) -> String {
    String(format: "%.1f %%", fraction * 100)
}
