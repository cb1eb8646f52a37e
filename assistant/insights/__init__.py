"""Support insights: the numbers a support lead runs the team by (resolution, handoffs, response times, CSAT,
return reasons by product and market, knowledge gaps), computed from the conversation tables for a period."""
