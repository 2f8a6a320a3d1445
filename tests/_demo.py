"""The example of Zendesk's "Accessing events" page, as the sandbox's demo seed holds it."""

JDOE = "coolbikes:rider:email:jdoe@example.com"
JDOE_PROFILE = "01E1G0NJSQPNPZRV096JXKXFAA"
JDOE_USER = 85211553
DOCUMENTED_EVENT = {
    "id": "01E24ET0G1PHQ8QVNYRYM4QT8K",
    "type": "bike_rental_booked",
    "source": "coolbike",
    "description": "Customer added item to shopping cart",
    "created_at": "2020-02-28T18:13:28.175841347Z",
    "received_at": "2020-02-28T18:13:28.175842838Z",
    "properties": {"booking_date": "2020-02-01", "return_date": "2020-02-05"},
}
