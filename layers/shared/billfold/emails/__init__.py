"""Email to the customer, through Amazon SES: invoices, receipts, failed payments, trials
ending, cards expiring and cancellations, from templates, in the seller's branding and the
customer's locale."""
