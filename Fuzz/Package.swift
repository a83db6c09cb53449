// swift-tools-version:6.1
import PackageDescription

// The fuzz targets (docs/FUZZING.md): a package of its own, next to the main one, so that the
// normal `swift build` never compiles it. It depends on the main package by path and is built
// with libFuzzer's coverage and AddressSanitizer by `make fuzz` into .build-fuzz/.

/// A path dependency's identity is its folder's name, which is whatever the clone is called.
let ledgerPackage = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "ledger").lowercased()

let package = Package(
    name: "LedgerFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        // Declares LLVMFuzzerRunDriver; the library itself is linked by the build flags.
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(
            name: "ledger-fuzz",
            dependencies: ["CLibFuzzer", .product(name: "Ledger", package: ledgerPackage)]
        ),
    ]
)
