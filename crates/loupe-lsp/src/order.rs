//! The order of messages. tower-lsp-server calls the service once per
//! message, in arrival order, then runs the futures concurrently: so the
//! order is fixed here, in `call`, before any future runs. An edit is sent
//! to the host's thread at once; a request asks that thread for its
//! snapshot at once, and the snapshot comes after every edit sent before
//! it. The request's work starts at once too (a task that runs its handler
//! on the blocking pool, off the runtime); its future only waits for the
//! answer, which `$/cancelRequest` can give first.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use loupe_project::CancelHandle;
use serde_json::Value;
use tokio::sync::oneshot;
use tower::Service;
use tower_lsp_server::ExitedError;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};
use tower_lsp_server::ls_types::notification::{Cancel, Notification};
use tower_lsp_server::ls_types::request::{Request as _, Shutdown};
use tower_lsp_server::ls_types::{CancelParams, MessageType};

use crate::requests::{self, Handler};
use crate::world::{Event, Snapshot, World, panic_message};

type Answer = Result<Option<Response>, ExitedError>;
type Reply = Result<Value, Error>;
type Answering = Pin<Box<dyn Future<Output = Answer> + Send>>;

/// The layer around the [`LspService`](tower_lsp_server::LspService): it
/// handles edits, requests and their cancellation in order, and leaves the
/// lifecycle (`initialize`, `shutdown`, `exit`) to the service.
#[derive(Debug)]
pub struct Ordered<S> {
    inner: S,
    world: World,
    pending: Pending,
    /// `shutdown` came: requests after it are refused, edits ignored.
    shut_down: bool,
}

impl<S> Ordered<S> {
    pub(crate) fn new(inner: S, world: World) -> Ordered<S> {
        Ordered { inner, world, pending: Pending::default(), shut_down: false }
    }
}

impl<S> Service<Request> for Ordered<S>
where
    S: Service<Request, Response = Option<Response>, Error = ExitedError>,
    S::Future: Send + 'static,
{
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = Answering;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ExitedError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if let Some(handler) = requests::handler(request.method()) {
            return self.request(request, handler);
        }
        match request.method() {
            Cancel::METHOD if self.cancel(&request) => return Box::pin(async { Ok(None) }),
            // As the service does, a `shutdown` before `initialize` is refused and changes nothing.
            Shutdown::METHOD if self.world.is_initialized() => self.shut_down = true,
            _ => {}
        }
        if !Event::is_edit(request.method()) {
            return Box::pin(self.inner.call(request));
        }
        // Edits before `initialize` or after `shutdown` are dropped, as the protocol says.
        if !self.world.is_initialized() || self.shut_down {
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
    fn request(&mut self, request: Request, handler: Handler) -> Answering {
        let (method, id, params) = request.into_parts();
        // A request's name sent as a notification asks for nothing.
        let Some(id) = id else { return Box::pin(async { Ok(None) }) };
        if self.shut_down {
            return refuse(id, Error::invalid_request());
        }
        if !self.world.is_initialized() {
            let error =
                Error { code: ErrorCode::ServerError(-32002), message: "server not initialized".into(), data: None };
            return refuse(id, error);
        }
        // Two requests in flight with one id could not be told apart.
        let Some(answered) = self.pending.insert(id.clone()) else { return refuse(id, Error::invalid_request()) };
        let snapshot = self.world.snapshot();
        let (world, pending, work_id) = (self.world.clone(), self.pending.clone(), id.clone());
        self.world.runtime.spawn(async move {
            let Ok(snapshot) = snapshot.await else {
                pending.answer(&work_id, Err(Error::internal_error()));
                return;
            };
            // Cancelled while it waited for its snapshot: nothing to run.
            if !pending.start(&work_id, snapshot.analysis.cancel_handle()) {
                return;
            }
            let reply = run(&world, &method, handler, snapshot, params.unwrap_or(Value::Null)).await;
            pending.answer(&work_id, reply);
        });
        Box::pin(async move {
            let reply = answered.await.unwrap_or_else(|_| Err(Error::internal_error()));
            Ok(Some(Response::from_parts(id, reply)))
        })
    }

    /// Acts on `$/cancelRequest` for a request this layer answers; `false`
    /// leaves it to the service (its own requests, or one answered already).
    fn cancel(&self, request: &Request) -> bool {
        let params = request.params().cloned().unwrap_or(Value::Null);
        match serde_json::from_value::<CancelParams>(params) {
            Ok(params) => self.pending.cancel(&Id::from(params.id)),
            Err(error) => {
                self.world.log(MessageType::ERROR, format!("loupe: bad {} notification: {error}", Cancel::METHOD));
                true
            }
        }
    }
}

fn refuse(id: Id, error: Error) -> Answering {
    Box::pin(async move { Ok(Some(Response::from_error(id, error))) })
}

/// The requests being answered, by id: whichever of the work and a cancel
/// comes first answers.
#[derive(Clone, Debug, Default)]
struct Pending(Arc<Mutex<HashMap<Id, Ticket>>>);

#[derive(Debug)]
struct Ticket {
    reply: oneshot::Sender<Reply>,
    /// Stops the request's queries, once it runs on its snapshot.
    cancel: Option<CancelHandle>,
}

impl Pending {
    fn tickets(&self) -> std::sync::MutexGuard<'_, HashMap<Id, Ticket>> {
        // A ticket is only ever inserted or removed whole: a panic cannot leave one half made.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a request and gives where its answer comes; `None` when a
    /// request with its id is in flight already.
    fn insert(&self, id: Id) -> Option<oneshot::Receiver<Reply>> {
        let mut tickets = self.tickets();
        if tickets.contains_key(&id) {
            return None;
        }
        let (reply, answered) = oneshot::channel();
        tickets.insert(id, Ticket { reply, cancel: None });
        Some(answered)
    }

    /// Hands a request its snapshot's cancel handle; `false` when it was cancelled before.
    fn start(&self, id: &Id, cancel: CancelHandle) -> bool {
        self.tickets().get_mut(id).map(|ticket| ticket.cancel = Some(cancel)).is_some()
    }

    /// Answers a request, unless a cancel answered it first.
    fn answer(&self, id: &Id, reply: Reply) {
        if let Some(ticket) = self.tickets().remove(id) {
            // The future waiting for it is gone only when the server is.
            let _ = ticket.reply.send(reply);
        }
    }

    /// Answers a request `RequestCancelled` at once and stops its queries;
    /// `false` when no such request is in flight.
    fn cancel(&self, id: &Id) -> bool {
        let Some(ticket) = self.tickets().remove(id) else { return false };
        if let Some(cancel) = &ticket.cancel {
            cancel.cancel();
        }
        let _ = ticket.reply.send(Err(Error::request_cancelled()));
        true
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
    async fn call<S: Service<Request, Response = Option<Response>, Error = ExitedError>>(
        service: &mut S,
        request: Request,
    ) -> Option<Response> {
        std::future::poll_fn(|cx| service.poll_ready(cx)).await.expect("the service runs");
        service.call(request).await.expect("the service runs")
    }

    /// After `shutdown` an edit is dropped: the snapshot taken after it, at
    /// its place in the order, still has the text before it.
    #[tokio::test]
    async fn an_edit_after_shutdown_is_ignored() {
        let dir =
            tempfile::Builder::new().prefix("loupe-lsp-after-shutdown-").tempdir().expect("a temporary directory");
        let path = dir.path().join("alone.lens");
        std::fs::write(&path, "predicate p(x) { x > 1 }\n").expect("a file");
        let uri = tower_lsp_server::ls_types::Uri::from_file_path(&path).expect("a file URI");
        let (mut service, _socket) = crate::service();
        let world = service.world.clone();
        let initialize = Request::build("initialize").params(json!({ "capabilities": {} })).id(1).finish();
        assert!(call(&mut service, initialize).await.is_some_and(|answer| answer.is_ok()));
        let document = json!({ "uri": uri, "languageId": "loupe", "version": 1, "text": "predicate p(x) { x > 2 }\n" });
        call(&mut service, Request::build("textDocument/didOpen").params(json!({ "textDocument": document })).finish())
            .await;
        let shutdown = Request::build("shutdown").id(2).finish();
        assert!(call(&mut service, shutdown).await.is_some_and(|answer| answer.is_ok()));

        let change = json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": "predicate p(x) { x > 3 }\n" }],
        });
        call(&mut service, Request::build("textDocument/didChange").params(change).finish()).await;
        let snapshot = world.snapshot().await.expect("the host's thread answers");
        let text = snapshot.with(|db| snapshot.file(db, &uri).map(|(_, file)| file.text(db).clone()));
        assert_eq!(text, Ok(Some("predicate p(x) { x > 2 }\n".to_string())));
    }

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
