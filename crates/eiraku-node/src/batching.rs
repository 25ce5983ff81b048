//! Taking work off a channel in batches: whatever queued up while the
//! previous batch was handled goes out together.

use futures::{channel::mpsc, StreamExt};

/// Waits for the next item, then takes the items already queued behind it,
/// `max` in all at most. `None` once the channel is closed and empty.
pub async fn next_batch<T>(
    receiver: &mut mpsc::UnboundedReceiver<T>,
    max: usize,
) -> Option<Vec<T>> {
    let mut batch = vec![receiver.next().await?];
    while batch.len() < max {
        match receiver.try_recv() {
            Ok(item) => batch.push(item),
            Err(_) => break,
        }
    }
    Some(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_what_is_queued_up_to_the_limit() {
        futures::executor::block_on(async {
            let (sender, mut receiver) = mpsc::unbounded();
            for i in 0..5 {
                sender.unbounded_send(i).unwrap();
            }
            assert_eq!(next_batch(&mut receiver, 3).await, Some(vec![0, 1, 2]));
            assert_eq!(next_batch(&mut receiver, 3).await, Some(vec![3, 4]));
            drop(sender);
            assert_eq!(next_batch(&mut receiver, 3).await, None);
        });
    }
}
