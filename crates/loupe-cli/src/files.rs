//! codespan-reporting's view of the database's files.

use codespan_reporting::files::{self, Files};
use loupe_db::{Database, SourceFile};

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
        Ok(loupe_db::line_index(self.db, file).codespan_line(byte_index))
    }

    fn line_range(&'db self, file: SourceFile, line_index: usize) -> Result<std::ops::Range<usize>, files::Error> {
        loupe_db::line_index(self.db, file).codespan_line_range(line_index)
    }
}
