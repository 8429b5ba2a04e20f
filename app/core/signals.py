"""What domains announce. Listeners subscribe; senders never import them.

Each signal is sent with the app as sender and keyword arguments as documented.
"""

from blinker import Namespace

_signals = Namespace()

#: campaign=Campaign, now=datetime. Sent when an organiser publishes a campaign, and again
#: when they correct a scheduled one before it starts (messaging moves what it has not sent).
campaign_published = _signals.signal("campaign-published")
#: campaign=Campaign, now=datetime. Asked before a publication (the question on a draft's
#: page): messaging answers with the events of the messages a publication at `now` would
#: schedule, in order ("launch", "reminder", "last-48h"). Nothing is written.
campaign_messages_asked = _signals.signal("campaign-messages-asked")
#: campaign=Campaign, now=datetime, notify=bool (optional). Sent when an organiser extends a
#: running campaign: messaging moves the reminders it has not sent yet to the new end, and
#: with notify tells the campaign's people of it.
campaign_extended = _signals.signal("campaign-extended")
#: campaign=Campaign, now=datetime. Sent once when a campaign's results freeze.
campaign_closed = _signals.signal("campaign-closed")
#: device_return=DeviceReturn, user=User, now=datetime. Sent when a return is declared.
#: The clean-up domain listens and logs the return as an action in running campaigns.
device_returned = _signals.signal("device-returned")
#: return_id=int, user=User, now=datetime. Sent when a person withdraws a declaration no
#: agent has received, or an agent closes one whose device never came (`user` is then the
#: owner): the clean-up domain takes back the points it gave for it.
device_return_withdrawn = _signals.signal("device-return-withdrawn")
#: return_id=int, user_id=int, now=datetime. Sent once for a declaration no agent has
#: received after RECYCLING_REMINDER_DAYS: messaging reminds its owner to bring the device.
device_return_waiting = _signals.signal("device-return-waiting")
#: point_id=int, note=str, owners=dict[int, list[int]], now=datetime. Sent once when an
#: admin closes an open collection point temporarily (`note`: their closure note, maybe
#: empty); `owners` maps each person whose declarations still wait there to those returns'
#: ids, oldest first. Messaging tells each person once. Reopening sends nothing.
collection_point_closed = _signals.signal("collection-point-closed")
#: device_return=DeviceReturn, agent=User, now=datetime. Sent when an agent confirms receipt.
device_return_received = _signals.signal("device-return-received")
#: return_id=int, now=datetime. Sent when an agent undoes a receipt recorded by mistake:
#: the clean-up domain makes what that receipt made count wait again, and nothing else.
device_receipt_undone = _signals.signal("device-receipt-undone")
#: device_return=DeviceReturn, step=str, now=datetime. Sent when an agent records a step
#: of a return's chain of custody (received, wiped, an outcome); messaging tells its owner.
custody_step_recorded = _signals.signal("custody-step-recorded")
#: request_id=int, user_id=int, approved=bool, now=datetime. Sent when an admin decides an
#: equipment or service request; messaging tells the person who asked.
request_decided = _signals.signal("request-decided")
#: entry_id=int, campaign_id=int, user_id=int, accepted=bool, now=datetime. Sent when an
#: organiser decides on a flagged clean-up entry; messaging tells its author.
entry_reviewed = _signals.signal("entry-reviewed")
