import Hummingbird

extension HTTPFields {
    /// Fields from name/value pairs, for router tests (names that are not valid field names are dropped).
    init(_ values: [String: String]) {
        self.init()
        for (name, value) in values {
            guard let name = HTTPFields.Element.Name(name) else { continue }
            append(HTTPFields.Element(name: name, value: value))
        }
    }
}
