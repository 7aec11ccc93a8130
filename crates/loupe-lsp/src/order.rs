//! The order of messages. tower-lsp-server calls the service once per
//! message, in arrival order, then runs the futures concurrently: so the
//! order is fixed here, in `call`, before any future runs. An edit is sent
//! to the host's thread at once; a request asks that thread for its
//! snapshot at once, and the snapshot comes after every edit sent before
//! it. The request then runs on the blocking pool, off the runtime.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde_json::Value;
use tower::Service;
use tower_lsp_server::ExitedError;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};
use tower_lsp_server::ls_types::MessageType;

use crate::requests::{self, Handler};
use crate::world::{Event, Snapshot, World, panic_message};

type Answer = Result<Option<Response>, ExitedError>;

/// The layer around the [`LspService`](tower_lsp_server::LspService): it
/// handles edits and requests in order, and leaves the lifecycle
/// (`initialize`, `shutdown`, `exit`, cancellation) to the service.
#[derive(Debug)]
pub struct Ordered<S> {
    inner: S,
    world: World,
}

impl<S> Ordered<S> {
    pub(crate) fn new(inner: S, world: World) -> Ordered<S> {
        Ordered { inner, world }
    }
}

impl<S> Service<Request> for Ordered<S>
where
    S: Service<Request, Response = Option<Response>, Error = ExitedError>,
    S::Future: Send + 'static,
{
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = Pin<Box<dyn Future<Output = Answer> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ExitedError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if let Some(handler) = requests::handler(request.method()) {
            return self.request(request, handler);
        }
        if !Event::is_edit(request.method()) {
            return Box::pin(self.inner.call(request));
        }
        // Edits before `initialize` are dropped, as the protocol says.
        if !self.world.is_initialized() {
            return Box::pin(async { Ok(None) });
        }
        let (method, _, params) = request.into_parts();
        match Event::edit(&method, params.unwrap_or(Value::Null)) {
            Ok(event) => self.world.send(event),
            Err(error) => self.world.log(MessageType::ERROR, format!("loupe: bad {method} notification: {error}")),
        }
        Box::pin(async { Ok(None) })
    }
}

impl<S> Ordered<S> {
    fn request(&mut self, request: Request, handler: Handler) -> Pin<Box<dyn Future<Output = Answer> + Send>> {
        let (method, id, params) = request.into_parts();
        // A request's name sent as a notification asks for nothing.
        let Some(id) = id else { return Box::pin(async { Ok(None) }) };
        if !self.world.is_initialized() {
            let error =
                Error { code: ErrorCode::ServerError(-32002), message: "server not initialized".into(), data: None };
            return Box::pin(async move { Ok(Some(Response::from_error(id, error))) });
        }
        let snapshot = self.world.snapshot();
        let world = self.world.clone();
        Box::pin(async move {
            let answer = match snapshot.await {
                Ok(snapshot) => run(&world, &method, handler, snapshot, params.unwrap_or(Value::Null)).await,
                Err(_) => Err(Error::internal_error()),
            };
            Ok(Some(Response::from_parts(id, answer)))
        })
    }
}

/// Runs a handler on the blocking pool: a panic there becomes an error
/// answer and a log line, and the server goes on.
async fn run(world: &World, method: &str, handler: Handler, snapshot: Snapshot, params: Value) -> Result<Value, Error> {
    match tokio::task::spawn_blocking(move || handler(&snapshot, params)).await {
        Ok(answer) => answer,
        Err(error) => {
            let reason =
                if error.is_panic() { panic_message(&*error.into_panic()).to_string() } else { error.to_string() };
            world.log(MessageType::ERROR, format!("loupe: {method} failed: {reason}"));
            Err(Error {
                code: ErrorCode::InternalError,
                message: format!("{method} failed: {reason}").into(),
                data: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A handler that panics answers an internal error with the panic's
    /// message; the host's thread and the next request go on.
    #[tokio::test]
    async fn a_panicking_handler_answers_an_error_and_the_server_goes_on() {
        let (service, _socket) = crate::service();
        let world = service.world.clone();
        let panicking: Handler = |_, _| panic!("a handler bug");
        let snapshot = world.snapshot().await.expect("the host's thread answers");
        let error = run(&world, "test/panic", panicking, snapshot, Value::Null).await.expect_err("an error");
        assert_eq!(error.code, ErrorCode::InternalError);
        assert!(error.message.contains("a handler bug"), "{error:?}");

        let echo: Handler = |_, params| Ok(params);
        let snapshot = world.snapshot().await.expect("the host's thread still answers");
        let answer = run(&world, "test/echo", echo, snapshot, json!(1)).await;
        assert_eq!(answer, Ok(json!(1)));
    }
}
