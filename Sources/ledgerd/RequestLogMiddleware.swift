import Hummingbird
import Logging

/// Logs one line per request at info level: method, path and status, as in `GET /v1/info 200`.
///
/// Never logs the query string, headers or body: they may carry a signer's personal data.
/// An error that is not an HTTP error is logged at error level with its description (the
/// library's descriptions never contain personal data) and answered with 500 by Hummingbird.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let line = "\(request.method) \(request.uri.path)"
        do {
            let response = try await next(request, context)
            context.logger.info("\(line) \(response.status.code)")
            return response
        } catch let error as any HTTPResponseError {
            context.logger.info("\(line) \(error.status.code)")
            throw error
        } catch {
            context.logger.error("\(line) 500: \(error)")
            throw error
        }
    }
}
