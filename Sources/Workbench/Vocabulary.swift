import Datasets
import GRU
import Export
import Quantization
import Search

// The library types a front end names: settings it fills in, results it formats.
// Re-exported here so the shell depends on the workbench alone; the engines
// (trainer, calibration, integer evaluation, NSGA-II, loaders) stay behind
// `Workspace`, reachable only through it.

public typealias BitWidths = Quantization.BitWidths
public typealias CExport = Export.CExport
public typealias StepCost = Quantization.StepCost
public typealias FineTuningMemory = Quantization.FineTuningMemory
public typealias CExportError = Export.CExportError
public typealias TargetCore = Export.TargetCore
public typealias DeviceCost = Export.DeviceCost
public typealias BitWidthError = Quantization.BitWidthError
public typealias GRUOperator = Quantization.GRUOperator
public typealias NetworkDescription = Quantization.NetworkDescription
public typealias QuantizationOptions = Quantization.QuantizationOptions
public typealias RangeRefinement = Quantization.RangeRefinement
public typealias FineTuningOptions = Quantization.FineTuningOptions
public typealias FineTuningEpoch = Quantization.FineTuningEpoch
public typealias ConfigurationFile = Quantization.ConfigurationFile

public typealias GRUClassifier = GRU.GRUClassifier
public typealias TrainingOptions = GRU.TrainingOptions
public typealias TrainingProgress = GRU.TrainingProgress
public typealias TrainingResult = GRU.TrainingResult
public typealias EpochSummary = GRU.EpochSummary
public typealias LearningRateSchedule = GRU.LearningRateSchedule
public typealias ModelSelection = GRU.ModelSelection
public typealias CellKind = GRU.CellKind

public typealias Task = Datasets.Task
public typealias TaskSummary = Datasets.TaskSummary
public typealias LoadOptions = Datasets.LoadOptions

public typealias Genome = Search.Genome
public typealias Individual = Search.Individual
public typealias GenerationReport = Search.GenerationReport
