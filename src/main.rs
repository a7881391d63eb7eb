//! The `pathways-hub` binary: see `pathways_hub::cli`.

/// mimalloc instead of the system allocator: a page allocates and frees
/// thousands of small values (rows, GraphQL values, JSON), and glibc's
/// malloc spent a third of the hub's CPU on them under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    pathways_hub::cli::main()
}
