import ArgumentParser
import VenueKit

/// The `venue` command: one subcommand per job.
@main
struct VenueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "venue",
        abstract: "Personal Double-11 sale venues from implicit ALS on OpenBLAS.",
        subcommands: [
            StatsCommand.self,
            FixturesCommand.self,
            TrainCommand.self,
            RecommendCommand.self,
            SimilarCommand.self,
            EvaluateCommand.self,
            TuneCommand.self,
            BenchCommand.self,
            PlanCommand.self,
            GenerateCommand.self,
            MergeExposureCommand.self,
            DemoCommand.self,
        ]
    )
}
