//! Accepted risks, as an answers file names them.

use loupe_diagnostics::Span;

/// An accepted risk: it stands in the report but does not fail the run until
/// `expires` (`YYYY-MM-DD`, inclusive). It accepts a whole question, one of
/// its practices (`choice`), or that practice's findings on one resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Waiver {
    pub question: Named,
    pub choice: Option<Named>,
    /// A resource's CloudFormation logical id or Terraform address.
    pub resource: Option<Named>,
    /// The evidence file the resource is in, as the review names it: logical
    /// ids repeat across generated stacks.
    pub file: Option<Named>,
    pub reason: String,
    pub owner: String,
    pub expires: String,
}

impl Waiver {
    /// Whether it still holds on `today` (`YYYY-MM-DD`).
    pub fn in_force(&self, today: &str) -> bool {
        self.expires.as_str() >= today
    }

    /// What it accepts: `GENSEC01`, `GENSEC01_BP01` or `GENSEC01_BP01 on aws_iam_role.legacy`.
    pub fn target(&self) -> String {
        match (&self.choice, &self.resource) {
            (Some(choice), Some(resource)) => match &self.file {
                Some(file) => format!("{} on {} in {}", choice.id, resource.id, file.id),
                None => format!("{} on {}", choice.id, resource.id),
            },
            (Some(choice), None) => choice.id.clone(),
            _ => self.question.id.clone(),
        }
    }
}

/// An id with where the answers file names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Named {
    pub id: String,
    pub span: Span,
}
