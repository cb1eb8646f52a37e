"""The GraphQL documents Portside sends (Admin API 2025-10). Page sizes keep one query well under Shopify's
1,000-point single-query limit: an order with 20 lines and 5 fulfillments costs about 150 points."""

from __future__ import annotations

ORDER_FIELDS = """
fragment OrderParts on Order {
  id legacyResourceId name email phone createdAt processedAt updatedAt cancelledAt
  currencyCode displayFinancialStatus displayFulfillmentStatus returnStatus paymentGatewayNames tags customerLocale
  totalPriceSet { shopMoney { amount currencyCode } }
  currentTotalDutiesSet { shopMoney { amount currencyCode } }
  shippingAddress { name firstName lastName address1 address2 city province zip countryCodeV2 }
  customer {
    id legacyResourceId displayName locale
    defaultEmailAddress { emailAddress }
    defaultPhoneNumber { phoneNumber }
  }
  lineItems(first: 20) {
    nodes {
      id sku title variantTitle quantity currentQuantity
      originalUnitPriceSet { shopMoney { amount currencyCode } }
      variant { id legacyResourceId sku title product { id legacyResourceId title productType tags } }
    }
  }
  fulfillments(first: 5) {
    id legacyResourceId displayStatus createdAt deliveredAt estimatedDeliveryAt inTransitAt updatedAt
    trackingInfo(first: 3) { company number url }
    fulfillmentLineItems(first: 20) { nodes { id quantity lineItem { id sku } } }
  }
}
"""

ORDER_COST = 160  # what ORDER_FIELDS asks of the bucket for one order, rounded up

ORDER_BY_ID = ORDER_FIELDS + """
query OrderById($id: ID!) { order(id: $id) { ...OrderParts } }
"""

ORDERS = ORDER_FIELDS + """
query Orders($first: Int!, $after: String, $query: String, $sortKey: OrderSortKeys) {
  orders(first: $first, after: $after, query: $query, sortKey: $sortKey) {
    nodes { ...OrderParts }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ORDER_STATE = """
query OrderState($id: ID!) {
  order(id: $id) {
    id name cancelledAt tags displayFulfillmentStatus
    lineItems(first: 50) { nodes { id sku quantity refundableQuantity } }
    fulfillments(first: 10) { fulfillmentLineItems(first: 50) { nodes { id quantity lineItem { id sku } } } }
    returns(first: 20) {
      nodes {
        id name status
        returnLineItems(first: 20) { nodes { ... on ReturnLineItem { customerNote returnReasonNote quantity } } }
      }
    }
    refunds(first: 20) { id note }
  }
}
"""

CUSTOMER = """
query Customer($id: ID!) {
  customer(id: $id) {
    id legacyResourceId displayName locale
    defaultEmailAddress { emailAddress }
    defaultPhoneNumber { phoneNumber }
    defaultAddress { zip countryCodeV2 }
  }
}
"""

SCOPES = """
query Scopes { shop { name myshopifyDomain currencyCode } currentAppInstallation { accessScopes { handle } } }
"""

ORDER_CANCEL = """
mutation Cancel($id: ID!, $restock: Boolean!, $refund: OrderCancelRefundMethodInput, $note: String) {
  orderCancel(orderId: $id, reason: CUSTOMER, restock: $restock, refundMethod: $refund, notifyCustomer: true,
              staffNote: $note) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

ORDER_UPDATE = """
mutation UpdateOrder($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id }
    userErrors { field message }
  }
}
"""

RETURN_REQUEST = """
mutation RequestReturn($input: ReturnRequestInput!) {
  returnRequest(input: $input) {
    return { id name status }
    userErrors { field message code }
  }
}
"""

RETURN_CREATE = """
mutation CreateReturn($input: ReturnInput!) {
  returnCreate(returnInput: $input) {
    return { id name status }
    userErrors { field message code }
  }
}
"""

RETURN_APPROVE = """
mutation ApproveReturn($input: ReturnApproveRequestInput!) {
  returnApproveRequest(input: $input) {
    return { id status }
    userErrors { field message code }
  }
}
"""

RETURN_DECLINE = """
mutation DeclineReturn($input: ReturnDeclineRequestInput!) {
  returnDeclineRequest(input: $input) {
    return { id status }
    userErrors { field message code }
  }
}
"""

REFUND_CREATE = """
mutation Refund($input: RefundInput!) {
  refundCreate(input: $input) {
    refund { id }
    userErrors { field message }
  }
}
"""

TAGS_ADD = """
mutation Tag($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}
"""
