//! The `gfbridge` executable: everything lives in the library; this only hands over.

fn main() -> std::process::ExitCode {
    gfbridge::cli::main()
}
