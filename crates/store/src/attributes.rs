//! Custom attributes in the store: a study's declarations (`attribute`, `attribute_choice`)
//! and the values its informants, members, groups and sources hold (`informant_attribute`,
//! `member_attribute`, `group_attribute`, `source_attribute`), each kept as the text its
//! type writes.

use foldhash::HashMap;
use rusqlite::{params, Connection};
use samskap_core::{Attribute, AttributeHolder, AttributeId, AttributeType, Attributes, Study};

use crate::read::{each, get, parse, rows};
use crate::StoreError;

/// The table of `holder`'s values and the column naming the holder.
fn table(holder: AttributeHolder) -> (&'static str, &'static str) {
    match holder {
        AttributeHolder::Informant => ("informant_attribute", "informant_id"),
        AttributeHolder::Member => ("member_attribute", "member_id"),
        AttributeHolder::Group => ("group_attribute", "group_id"),
        AttributeHolder::Source => ("source_attribute", "source_id"),
    }
}

/// Writes a study's declarations.
pub(crate) fn insert_declarations(
    conn: &Connection,
    sid: &str,
    study: &Study,
) -> Result<(), StoreError> {
    for a in study.attributes() {
        let holds = |h| a.holders.contains(&h);
        conn.execute(
            "INSERT INTO attribute
                 (study_id, id, label, type, for_informant, for_member, for_group, for_source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                sid,
                a.id.as_str(),
                a.label,
                a.kind.name(),
                holds(AttributeHolder::Informant),
                holds(AttributeHolder::Member),
                holds(AttributeHolder::Group),
                holds(AttributeHolder::Source)
            ],
        )
        .map_err(StoreError::db)?;
        for c in a.kind.choices() {
            conn.execute(
                "INSERT INTO attribute_choice (study_id, attribute_id, value) VALUES (?1, ?2, ?3)",
                params![sid, a.id.as_str(), c],
            )
            .map_err(StoreError::db)?;
        }
    }
    Ok(())
}

/// Writes the values one informant, member or group holds.
pub(crate) fn insert_values(
    conn: &Connection,
    sid: &str,
    holder: AttributeHolder,
    who: &str,
    values: &Attributes,
) -> Result<(), StoreError> {
    if values.is_empty() {
        return Ok(());
    }
    let (table, column) = table(holder);
    let mut st = conn
        .prepare_cached(&format!(
            "INSERT INTO {table} (study_id, {column}, attribute_id, value) VALUES (?1, ?2, ?3, ?4)"
        ))
        .map_err(StoreError::db)?;
    for (id, value) in values.iter() {
        st.execute(params![sid, who, id.as_str(), value.to_string()])
            .map_err(StoreError::db)?;
    }
    Ok(())
}

/// A study's declarations, in the order declared.
pub(crate) fn declarations_in(conn: &Connection, sid: &str) -> Result<Vec<Attribute>, StoreError> {
    let mut choices: HashMap<String, Vec<String>> = HashMap::default();
    each(
        conn,
        "SELECT attribute_id, value FROM attribute_choice WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            choices.entry(get(r, 0)?).or_default().push(get(r, 1)?);
            Ok(())
        },
    )?;
    rows(
        conn,
        "SELECT id, label, type, for_informant, for_member, for_group, for_source FROM attribute
         WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            let id: String = get(r, 0)?;
            let name: String = get(r, 2)?;
            let kind = AttributeType::new(&name, choices.remove(&id).unwrap_or_default())
                .map_err(|e| StoreError::Corrupt(format!("attribute `{id}`: {e}")))?;
            let holders = AttributeHolder::ALL
                .into_iter()
                .zip(3..)
                .map(|(h, col)| Ok(get::<bool>(r, col)?.then_some(h)))
                .collect::<Result<Vec<_>, StoreError>>()?
                .into_iter()
                .flatten()
                .collect();
            Ok(Attribute {
                id: parse(id)?,
                label: get(r, 1)?,
                kind,
                holders,
            })
        },
    )
}

/// The values `holder`s of a study hold, by the holder's id, read through `declared`.
pub(crate) fn values_in(
    conn: &Connection,
    sid: &str,
    holder: AttributeHolder,
    declared: &[Attribute],
) -> Result<HashMap<String, Attributes>, StoreError> {
    let mut out: HashMap<String, Attributes> = HashMap::default();
    if declared.is_empty() {
        return Ok(out);
    }
    let kinds: HashMap<&str, &Attribute> = declared.iter().map(|a| (a.id.as_str(), a)).collect();
    let (table, column) = table(holder);
    each(
        conn,
        &format!(
            "SELECT {column}, attribute_id, value FROM {table} WHERE study_id = ?1 ORDER BY rowid"
        ),
        [sid],
        |r| {
            let who: String = get(r, 0)?;
            let attribute: String = get(r, 1)?;
            let text: String = get(r, 2)?;
            let a = kinds.get(attribute.as_str()).ok_or_else(|| {
                StoreError::Corrupt(format!("{table}: undeclared attribute `{attribute}`"))
            })?;
            let value = a.kind.parse(&text).map_err(|e| {
                StoreError::Corrupt(format!("{table}: attribute `{attribute}` of `{who}`: {e}"))
            })?;
            let id: AttributeId = a.id.clone();
            out.entry(who).or_default().set(id, value);
            Ok(())
        },
    )?;
    Ok(out)
}
