//! The `pathways-hub` binary: see `pathways_hub::cli`.

fn main() -> std::process::ExitCode {
    pathways_hub::cli::main()
}
