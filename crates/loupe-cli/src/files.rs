//! codespan-reporting's view of the database's files.

use codespan_reporting::files::{self, Files};
use loupe_db::{Database, SourceFile, line_starts};

pub struct DbFiles<'db> {
    pub db: &'db Database,
}

impl<'db> Files<'db> for DbFiles<'db> {
    type FileId = SourceFile;
    type Name = &'db str;
    type Source = &'db str;

    fn name(&'db self, file: SourceFile) -> Result<&'db str, files::Error> {
        Ok(file.name(self.db))
    }

    fn source(&'db self, file: SourceFile) -> Result<&'db str, files::Error> {
        Ok(file.text(self.db))
    }

    fn line_index(&'db self, file: SourceFile, byte_index: usize) -> Result<usize, files::Error> {
        let starts = line_starts(self.db, file);
        Ok(starts.partition_point(|&start| start <= byte_index).saturating_sub(1))
    }

    fn line_range(&'db self, file: SourceFile, line_index: usize) -> Result<std::ops::Range<usize>, files::Error> {
        let starts = line_starts(self.db, file);
        let text_len = file.text(self.db).len();
        let start =
            *starts.get(line_index).ok_or(files::Error::LineTooLarge { given: line_index, max: starts.len() - 1 })?;
        let end = starts.get(line_index + 1).copied().unwrap_or(text_len);
        Ok(start..end)
    }
}
