//! Binary Merkle roots (commonware `bmt`): a block's transaction root and a
//! notarized batch's root.

use crate::Digest;
use commonware_cryptography::Sha256;
use commonware_storage::bmt::{Builder, Proof, Tree};

/// A Merkle path (one or several adjacent leaves up to a root). It holds the
/// tree's leaf count, which the root commits to.
pub type Path = Proof<Digest>;

/// Builds the tree over `leaves` (already digests) in order.
pub fn tree(leaves: &[Digest]) -> Tree<Digest> {
    let mut builder = Builder::<Sha256>::new(leaves.len());
    for leaf in leaves {
        builder.add(leaf);
    }
    builder.build()
}

/// The root over `leaves` in order; the empty list has a fixed root too.
pub fn root(leaves: &[Digest]) -> Digest {
    tree(leaves).root()
}

/// Checks that `leaf` sits at `position` under `root`.
pub fn verify_inclusion(
    proof: &Proof<Digest>,
    leaf: &Digest,
    position: u32,
    root: &Digest,
) -> bool {
    proof
        .verify_element_inclusion::<Sha256>(leaf, position, root)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash;

    #[test]
    fn root_depends_on_order_and_count() {
        let a = hash(&[b"a"]);
        let b = hash(&[b"b"]);
        assert_ne!(root(&[a, b]), root(&[b, a]));
        assert_ne!(root(&[a]), root(&[a, a]));
        assert_ne!(root(&[]), root(&[a]));
    }

    #[test]
    fn proofs_verify_and_reject_other_leaves() {
        let leaves: Vec<Digest> = (0u8..5).map(|i| hash(&[&[i]])).collect();
        let tree = tree(&leaves);
        let proof = tree.proof(3).unwrap();
        assert!(verify_inclusion(&proof, &leaves[3], 3, &tree.root()));
        assert!(!verify_inclusion(&proof, &leaves[2], 3, &tree.root()));
    }
}
